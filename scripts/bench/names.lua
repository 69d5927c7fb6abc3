-- Real-looking names for the wrk scripts, the same lists as crates/bench/src/names.rs
-- (a surname about 1 in 140, a first name about 1 in 120): each submission's
-- conflict check meets as many namesakes as a real firm's would, not every
-- earlier lead (as when every bench submission was "Ada Lovelace").
FIRST = {
  "Ada", "Aisha", "Alan", "Alejandro", "Alice", "Amara", "Amir", "Ana", "Andrea", "Anna",
  "Antoine", "Arjun", "Astrid", "Ayesha", "Barbara", "Beatriz", "Ben", "Bilal", "Bruno", "Camille",
  "Carlos", "Caroline", "Chen", "Chloé", "Chris", "Claire", "Daniel", "Daria", "David", "Diego",
  "Dmitri", "Ebony", "Edsger", "Elena", "Elif", "Emily", "Emma", "Erik", "Fatima", "Felix",
  "Fernando", "Fiona", "Frances", "François", "Freya", "Gabriel", "Grace", "Hana", "Hannah",
  "Hassan", "Helena", "Hiroshi", "Ibrahim", "Ines", "Ingrid", "Isaac", "Isabel", "Ivan", "Jack",
  "Jamal", "James", "Jana", "Javier", "Jin", "Joanna", "John", "Jorge", "José", "Julia", "Karim",
  "Katarzyna", "Kenji", "Kofi", "Laila", "Lars", "Laura", "Layla", "Leila", "Leo", "Liam", "Lina",
  "Linus", "Lucas", "Lucía", "Madeleine", "Malik", "Marco", "Margaret", "María", "Marie", "Mateo",
  "Mei", "Mia", "Mohammed", "Nadia", "Naomi", "Nia", "Nikolai", "Noah", "Nora", "Olga", "Oliver",
  "Omar", "Priya", "Rafael", "Rahul", "Rania", "Rosa", "Ruth", "Sakura", "Samuel", "Sara",
  "Sebastián", "Sofia", "Sophie", "Tariq", "Thomas", "Tomás", "Valentina", "Wei", "Yara", "Yusuf",
  "Zara", "Zoë",
}
LAST = {
  "Abbott", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Araújo", "Bakker", "Banerjee", "Barros",
  "Becker", "Bergström", "Bianchi", "Bondarenko", "Brennan", "Brown", "Castillo", "Chen", "Costa",
  "Cruz", "Dąbrowski", "Dahl", "Das", "Delgado", "Dijkstra", "Dubois", "Eriksson", "Evans",
  "Fernández", "Fischer", "Fitzgerald", "Fontaine", "Fujita", "García", "Gomez", "González",
  "Gupta", "Haddad", "Hansen", "Harris", "Hartmann", "Hernández", "Hoffmann", "Hopper", "Horvat",
  "Hughes", "Ibrahim", "Ivanova", "Jansen", "Jensen", "Johansson", "Johnson", "Kaplan", "Kaur",
  "Khan", "Kim", "Klein", "Knuth", "Kowalski", "Kumar", "Larsen", "Laurent", "Lee", "Lefebvre",
  "Li", "Lindqvist", "Liskov", "Liu", "Lopez", "Lovelace", "Lund", "Martin", "Martínez", "Mazur",
  "McCarthy", "Mehta", "Mendes", "Meyer", "Moreau", "Morales", "Moreno", "Müller", "Murphy",
  "Nakamura", "Nguyen", "Nielsen", "Novak", "Nowak", "O'Brien", "Okafor", "Oliveira", "Olsen",
  "Ortiz", "Owusu", "Park", "Patel", "Pereira", "Petrov", "Popescu", "Quinn", "Ramírez", "Reddy",
  "Reyes", "Richter", "Rivera", "Romano", "Rossi", "Russo", "Sato", "Schmidt", "Schneider",
  "Schulz", "Shah", "Silva", "Singh", "Smith", "Sokolov", "Suzuki", "Svensson", "Takahashi",
  "Tanaka", "Taylor", "Thompson", "Torres", "Turing", "Van Dijk", "Vargas", "Varga", "Wagner",
  "Walsh", "Wang", "Weber", "Williams", "Wilson", "Wójcik", "Wright", "Yamamoto", "Yang", "Yilmaz",
  "Young", "Zhang", "Zhao", "Zielińska",
}
function random_name() return FIRST[math.random(#FIRST)], LAST[math.random(#LAST)] end
