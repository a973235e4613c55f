"""A chat's memory: /find's words and moments, and the mandate every write of work under way is
checked against (a /forget or a no since it began ends it).

search_rules.py    /find: words folded, moments found, the words marked where they were said
write_mandates.py  what work under way writes under: a /forget or a no since it began ends it
"""
