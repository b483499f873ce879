"""French words that make, bound or sit inside a negation's scope."""

from __future__ import annotations

_NE = frozenset({"ne", "n'"})
# Negate what follows whether or not "ne" is said (spoken French drops it).
_NEG_ALWAYS = frozenset({"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "nul", "nulle"})
# Negate only with a "ne" earlier in the clause ("plus" is otherwise "more").
_NEG_WITH_NE = frozenset({"plus", "personne", "guère", "point"})
# Words that close a clause, hence a negation's scope.
_CLAUSE_BREAK = frozenset(
    {
        "mais", "et", "ou", "car", "parce", "puisque", "donc", "alors", "quand", "lorsque",
        "lorsqu'", "si", "qui", "que", "qu'", "où", "comme", "sinon", "puis", "pis", "tandis",
        "cependant", "pourtant", "sauf",
    }
)
# Subject and object clitics: "je comprends pas", "ça marche pas", "il m'aide pas".
_CLITICS = frozenset(
    {
        "je", "j'", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ça", "ca", "cela",
        "y", "en", "me", "m'", "te", "t'", "se", "s'", "lui", "leur",
    }
)
_DETERMINERS = frozenset(
    {"un", "une", "le", "la", "les", "l'", "des", "du", "de", "d'", "mon", "ma", "mes", "ton",
     "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leurs", "ce", "cet",
     "cette", "ces"}
)

