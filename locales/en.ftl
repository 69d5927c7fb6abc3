# The prospect's side of Intake, in English. A translation file (es.ftl) must
# have every message below, with the same { $variables }: the build checks it.
# Fluent syntax, one message per line: key = text. Lines starting with # are comments.

## The form
page-title = Contact { $firm }
form-title = Tell us about yourself
form-lede = Leave your details. An attorney will review them and contact you.
field-first-name = First name
field-last-name = Last name
field-email = Email
field-resume = Resume
resume-formats = PDF, Word (DOCX or DOC), OpenDocument (ODT), RTF or plain text
resume-hint = { $formats }; up to { $limit }.
submit = Submit
submitting = Submitting…
honeypot = Leave this field empty
optional = (optional)
matter-legend = What is your matter about?
matter-continue = Continue
choose-country = Choose a country
answer-yes = Yes
answer-no = No
notice-title = Privacy notice
consent-label = I have read the privacy notice and agree to it
language-switch = Language

## What is wrong, per field
fix-one = Please correct the highlighted field.
fix-many = Please correct the { $count } highlighted fields.
first-name-missing = Enter your first name.
last-name-missing = Enter your last name.
name-too-long = { $field } must be at most { $max } characters.
name-bad-chars = { $field } contains characters that are not allowed.
email-missing = Enter your email address.
email-too-long = Email address is too long (at most 254 characters).
email-spaces = Email address must not contain spaces.
email-invalid = Enter an email address like name@example.com.
resume-missing = Choose your resume file to upload.
resume-empty = The resume file is empty.
resume-too-large = The resume is too large: the limit is { $limit }.
resume-format = This file's format is not accepted. Upload a { $formats } file.
answer-required = Answer this question.
answer-too-long = Use at most { $max } characters.
answer-not-a-choice = Choose one of the options.
answer-not-yes-or-no = Choose yes or no.
answer-not-a-date = Enter a date like 2024-03-31.
answer-not-a-phone = Enter the number with its country code, like +1 202 555 0143.
answer-not-a-url = Enter a web address starting with https:// or http://.
answer-not-a-country = Choose a country from the list.
answer-not-a-number = Enter a number, like 3 or 2.5.
answer-empty-file = The file is empty.
answer-not-a-document = This file's format is not accepted. Upload a { $formats } file.
answer-file-too-large = The file is too large: the limit is { $limit }.
matter-missing = Choose what your matter is about.
consent-required = Tick the box to agree to the privacy notice.
form-changed = The form changed while you were filling it in. Reload the page to see its questions, then send it again.

## Refusals that are not about one field
refused-rate-limited = Too many submissions from your network. Please try again in { $seconds } seconds.
refused-busy = We are receiving many submissions right now. Please try again in a few seconds.
refused-malformed = Your form could not be read. Reload the page and send it again.
refused-unavailable = Something went wrong, or the server could not be reached. Check your connection and try again in a moment.

## The confirmation
thanks = Thank you, { $name }!
received = We have received your details.
received-with-resume = We have received your details and your resume.
confirmation-sent = A confirmation email is on its way to { $email }.
next-steps = An attorney will review your information and contact you. There is no need to submit the form again.

## The confirmation email
mail-subject = We received your details — { $firm }
mail-dear = Dear { $name },
mail-thanks = Thank you for contacting { $firm }. We have received your details:
mail-name = Name
mail-email = Email
mail-resume = Resume
mail-next = What happens next: an attorney will review your information and contact you at this address. You do not need to submit the form again.
mail-not-you = If you did not submit this form, you can ignore this message.
mail-erase = To have everything you sent us deleted, reply to this email and ask; we will erase it and confirm.
mail-heading = Thank you, { $name }

## The email to an address that sent the form again
again-subject = We already have your details — { $firm }
again-heading = We already have your details
again-hello = Hello,
again-intro = Someone, probably you, just sent the contact form of { $firm } again with this address. We already have your earlier submission of { $when }, so nothing more is needed: an attorney will contact you at this address.
again-after = The new form was not kept. To change what you sent, or to have your details deleted, reply to this email. If you did not send the form, you can ignore this message.
