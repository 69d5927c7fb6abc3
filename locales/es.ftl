# La parte de Intake que ven los interesados, en español. Cada mensaje de
# en.ftl debe estar aquí, con las mismas { $variables }: la compilación lo comprueba.

## El formulario
page-title = Contactar con { $firm }
form-title = Cuéntenos sobre usted
form-lede = Déjenos sus datos. Un abogado los revisará y se pondrá en contacto con usted.
field-first-name = Nombre
field-last-name = Apellidos
field-email = Correo electrónico
field-resume = Currículum
resume-formats = PDF, Word (DOCX o DOC), OpenDocument (ODT), RTF o texto sin formato
resume-hint = { $formats }; hasta { $limit }.
submit = Enviar
submitting = Enviando…
honeypot = Deje este campo vacío
optional = (opcional)
matter-legend = ¿Sobre qué trata su asunto?
matter-continue = Continuar
choose-country = Elija un país
answer-yes = Sí
answer-no = No
notice-title = Aviso de privacidad
consent-label = He leído el aviso de privacidad y lo acepto
language-switch = Idioma

## Qué está mal, por campo
fix-one = Corrija el campo señalado.
fix-many = Corrija los { $count } campos señalados.
first-name-missing = Escriba su nombre.
last-name-missing = Escriba sus apellidos.
name-too-long = { $field }: como máximo { $max } caracteres.
name-bad-chars = { $field } contiene caracteres no permitidos.
email-missing = Escriba su correo electrónico.
email-too-long = El correo electrónico es demasiado largo (como máximo 254 caracteres).
email-spaces = El correo electrónico no puede contener espacios.
email-invalid = Escriba un correo electrónico como nombre@ejemplo.com.
resume-missing = Elija el archivo de su currículum.
resume-empty = El archivo del currículum está vacío.
resume-too-large = El currículum es demasiado grande: el límite es { $limit }.
resume-format = No se acepta el formato de este archivo. Suba un archivo { $formats }.
answer-required = Responda a esta pregunta.
answer-too-long = Use como máximo { $max } caracteres.
answer-not-a-choice = Elija una de las opciones.
answer-not-yes-or-no = Elija sí o no.
answer-not-a-date = Escriba una fecha como 2024-03-31.
answer-not-a-phone = Escriba el número con su prefijo internacional, como +34 612 345 678.
answer-not-a-url = Escriba una dirección web que empiece por https:// o http://.
answer-not-a-country = Elija un país de la lista.
answer-not-a-number = Escriba un número, como 3 o 2,5.
answer-empty-file = El archivo está vacío.
answer-not-a-document = No se acepta el formato de este archivo. Suba un archivo { $formats }.
answer-file-too-large = El archivo es demasiado grande: el límite es { $limit }.
matter-missing = Elija sobre qué trata su asunto.
consent-required = Marque la casilla para aceptar el aviso de privacidad.
form-changed = El formulario cambió mientras lo rellenaba. Vuelva a cargar la página para ver sus preguntas y envíelo de nuevo.

## Rechazos que no se refieren a un campo
refused-rate-limited = Demasiados envíos desde su red. Vuelva a intentarlo dentro de { $seconds } segundos.
refused-busy = Estamos recibiendo muchos envíos en este momento. Vuelva a intentarlo dentro de unos segundos.
refused-malformed = No pudimos leer su formulario. Vuelva a cargar la página y envíelo de nuevo.
refused-unavailable = Algo falló, o no pudimos conectar con el servidor. Compruebe su conexión y vuelva a intentarlo en un momento.

## La confirmación
thanks = ¡Gracias, { $name }!
received = Hemos recibido sus datos.
received-with-resume = Hemos recibido sus datos y su currículum.
confirmation-sent = Le hemos enviado un correo de confirmación a { $email }.
next-steps = Un abogado revisará su información y se pondrá en contacto con usted. No hace falta enviar el formulario de nuevo.

## El correo de confirmación
mail-subject = Hemos recibido sus datos — { $firm }
mail-dear = Estimado/a { $name }:
mail-thanks = Gracias por contactar con { $firm }. Hemos recibido sus datos:
mail-name = Nombre
mail-email = Correo
mail-resume = Currículum
mail-next = Qué ocurre ahora: un abogado revisará su información y se pondrá en contacto con usted en esta dirección. No hace falta enviar el formulario de nuevo.
mail-not-you = Si usted no envió este formulario, puede ignorar este mensaje.
mail-erase = Para que borremos todo lo que nos envió, responda a este correo y pídalo; lo borraremos y se lo confirmaremos.
mail-heading = Gracias, { $name }

## El correo a una dirección que envió el formulario otra vez
again-subject = Ya tenemos sus datos — { $firm }
again-heading = Ya tenemos sus datos
again-hello = Hola:
again-intro = Alguien, probablemente usted, acaba de enviar de nuevo el formulario de contacto de { $firm } con esta dirección. Ya tenemos su envío anterior del { $when }, así que no hace falta nada más: un abogado se pondrá en contacto con usted en esta dirección.
again-after = No hemos guardado el nuevo formulario. Para cambiar lo que envió, o para que borremos sus datos, responda a este correo. Si usted no envió el formulario, puede ignorar este mensaje.
