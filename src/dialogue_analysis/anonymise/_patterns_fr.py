"""French language data as regular expressions and word lists: titles, person cues, verbs of persons, street types, connectors and particles."""

from __future__ import annotations

import re

from ._person_words import (
    KINSHIP_EN,
    KINSHIP_FR,
    PEOPLE_EN,
    PEOPLE_FR,
    RELATIONS_EN,
    RELATIONS_FR,
    ROLES_EN,
    ROLES_FR,
    TITLES_EN,
    alternation,
)
from ._types import PLACEHOLDER_LABELS

# --------------------------------------------------------------------------------------------
# Regular expressions (compiled once, at import)
# --------------------------------------------------------------------------------------------

# Latin letters, with those of Latin Extended-A/B (Łukasz, Dragoș, Yıldız, Šimić) and Extended
# Additional (Vietnamese: Bích Ngọc, Nguyễn)
_EXT = [chr(c) for c in (*range(0x100, 0x250), *range(0x1E00, 0x1F00))]
_U = "A-ZÀ-ÖØ-Þ" + "".join(c for c in _EXT if c.isupper())
_L = "a-zß-öø-ÿ" + "".join(c for c in _EXT if c.islower())
# A capitalised name word: Lefèvre, N'Diaye, O'Brien, Le Floc'h, Jean-Pierre, DUPONT, d'Estaing.
_CAPW = rf"(?:[{_U}](?:['’][{_U}])?[{_L}]+(?:['’]h(?![{_L}]))?|[{_U}]{{2,}})"
_NAMEW = rf"(?:[dD]['’])?{_CAPW}(?:-{_CAPW})*"
_INITIAL = rf"[{_U}]\."
_NAME_PARTICLE = r"(?:de|du|des|le|la|van|von|der|den|ben|ibn|el|al|bin|da|dos|das|di|del|della)"
# Up to four name words, particles between them, an initial first ("J. Moreau").
_NAME_SEQ = (
    rf"(?:{_INITIAL}\s?)?{_NAMEW}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?(?:{_INITIAL}[ \t]?)?{_NAMEW}){{0,3}}"
)

# names listed with commas and "et": "Zilan et Zozan", "Dimitar, Stoyanka et Kalina"
_NAMES_SEQ = rf"{_NAME_SEQ}(?:(?:,[ \t]+|[ \t]+(?:et|and|&)[ \t]+){_NAME_SEQ}){{0,4}}"

_TITLES = (
    r"Mme|Mmes|Madame|Mesdames|Mlle|Mlles|Mademoiselle|Monsieur|Messieurs|M\.|MM\.|Mr\.?|"
    r"Mrs\.?|Ms\.?|Miss|" + alternation(TITLES_EN) + "|"
    r"Dr\.?|DR\.?|Docteur|Docteure|Pr\.?|Professeur|Professeure|Maître|Maitre|Mgr|"
    # familiar and religious forms: "Mémé Jeannette", "Tonton Ahmed", "Sœur Marie-Claire"
    r"Mémé|Mémère|Pépé|Pépère|Mamie|Mamy|Mamé|Papi|Papy|Tata|Tatie|Tonton|"
    r"Père|Sœur|Soeur|Frère|Abbé|Pasteur|Imam|Rabbin|"
    r"(?i:madame|monsieur|mademoiselle|docteure?|mme|mlle)|"  # typed in lower case too
    r"mémé|mémère|pépé|pépère|mamie|mamy|mamé|papi|papy|tata|tatie|tonton"
)
_TITLE_RE = re.compile(
    rf"(?<![\w.])(?:{_TITLES})(?![\w])[ \t]*(?:{_NAME_PARTICLE}[ \t]+)?(?:{_NAME_SEQ}|{_INITIAL})"
)
_TITLE_ONLY_RE = re.compile(rf"^(?:{_TITLES})(?![\w])\s*")

# every kinship, relation and role noun a name may stand beside (``_person_words``)
_RELATIONS = alternation(KINSHIP_FR, RELATIONS_FR, ROLES_FR)
# words for a person met at a desk: "la dame de l'accueil, Rosalinde, ..."
_PERSON_NOUNS = alternation(PEOPLE_FR, ROLES_FR)
_RELATIONS_EN = alternation(KINSHIP_EN, RELATIONS_EN, ROLES_EN, PEOPLE_EN)
# "mes deux fils", "my two sons": a number before a relation, which may then be plural
_COUNT = (r"deux|trois|quatre|cinq|six|[2-9]|two|three|four|five|six")
# words that qualify a relation before or after it: "ma grande sœur X", "ma sœur jumelle X"
_KIN_BEFORE = (r"petite?|p['’]tite?|grande?|vieille|vieux|nouvelle|nouveau|nouvel|ancienne?|"
               r"meilleure?|seule?|demi-sœur|demi-frère|future?|jeune|chère?")
_KIN_AFTER = (r"aînée?|ainée?|cadette?|benjamine?|jumelle|jumeau|jumeaux|jumelles|"
              r"préférée?|adorée?|aimée?|actuelle?|décédée?|défunte?|handicapée?|"
              r"d['’]à[ \t]+côté|du[ \t]+dessus|du[ \t]+dessous|de[ \t]+palier")
_TRIGGER_RE = re.compile(
    r"(?<![\w])(?i:je\s+m['’]appelle|je\s+me\s+nomme|je\s+me\s+prénomme|mon\s+nom(?:\s+de\s+famille)?\s+est|"
    r"mon\s+prénom\s+est|moi,?\s+c['’]est|(?:il|elle|qui|iels?)\s+s['’]appel(?:le|ait)|"
    r"(?:on|tout\s+le\s+monde)\s+(?:l['’]|les\s+)appel(?:le|ait)|"
    # "ma fille s'appelle X", "le vendeur de la boutique, rue..., s'appelle X": what a person
    # noun of the lexicons names, however far its complement runs within the sentence (not
    # past a "que", which opens a clause with a subject of its own)
    rf"(?:{_RELATIONS}|{_PERSON_NOUNS})[sx]?(?![\w'’-])"
    r"(?:(?!(?<![\w])(?:que|qu['’]|où|dont)(?![\w]))[^.;!?\n]){0,60}?\s+"
    r"s['’]appel(?:le|ait|lent|aient)|"
    r"(?:le|la|les|chez\s+les)\s+(?:fils|fille|famille|petit|petite|veuve|frères|sœurs|soeurs)|"
    r"(?:pré|dé)?nommée?s?|surnommée?s?|une?\s+certaine?|"
    rf"(?:mon|ma|mes|notre|nos|son|sa|ses|leur)\s+(?:(?:{_COUNT})\s+)?(?:(?:{_KIN_BEFORE})\s+)?"
    rf"(?:{_RELATIONS})[sx]?(?:\s+(?:{_KIN_AFTER}|de\s+\d+\s+ans))?|"
    rf"my\s+name\s+is|i\s+am\s+called|i['’]m\s+called|"
    rf"(?:my|our|his|her|their)\s+(?:(?:{_COUNT})\s+)?(?:{_RELATIONS_EN})s?)"
    rf",?[ \t]+(?P<name>{_NAME_SEQ})"
)
# names typed in lower case, after a cue that only a name can follow ("je m'appelle zéphirine
# le quéméner", "c'est madame kerjean qui"): the words that are no common French word
_LOWER_WORD = rf"[{_L}][{_L}-]+(?:['’]h(?![{_L}]))?"
# "un monsieur", "la dame": a title after an article or a possessive is a common noun
_NOT_AFTER_ARTICLE = "".join(
    f"(?<!{a} )" for a in ("un", "une", "le", "la", "ce", "cette", "du", "au", "ma", "mon", "sa",
                           "son", "ta", "ton", "des", "les", "ces", "aux", "quel", "quelle")
)
_POSSESSIVES_CUE = r"mon|ma|mes|notre|nos|son|sa|ses|leur|leurs"
_LOWER_CUE_RE = re.compile(
    r"(?<![\w])(?i:je\s+m['’]appelle|je\s+me\s+nomme|mon\s+nom(?:\s+de\s+famille)?\s+est|"
    r"mon\s+prénom\s+est|(?:il|elle)\s+s['’]appel(?:le|ait)|my\s+name\s+is|"
    r"(?:je|on|tout\s+le\s+monde)\s+l['’]appel(?:le|ait)|"
    rf"(?:{_RELATIONS}|{_PERSON_NOUNS})[sx]?\s+s['’]appel(?:le|ait|lent|aient)|"
    # "mon conseiller c'est septime grousset": what a person noun of the lexicons is
    rf"(?:{_POSSESSIVES_CUE})\s+(?:{_RELATIONS}|{_PERSON_NOUNS})[sx]?,?\s+c['’](?:est|était)|"
    r"une?\s+certaine?|"  # "un certain laïd": only a name follows
    rf"{_NOT_AFTER_ARTICLE}(?:madame|monsieur|mademoiselle|mme|mlle|docteure?|maître|maitre|"
    r"mrs|ms|m\.|dr\.?|"
    # familiar titles, as a phone's contacts write them: "tata consuelina", "tonton isso"
    r"tonton|tata|tatie|tantine|mamie|mémé|papi|papy|pépé))"
    rf"[ \t]+(?P<name>{_LOWER_WORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_LOWER_WORD}){{0,2}})"
)
# a second pass over capitalised words the model missed: two or more name words none of which is
# a common word ("Xiuying Zhou m'a traduit"), or one name word before a verb that only a person
# does in these answers ("Kerbrat m'a rappelé")
_CAP_SEQ_RE = re.compile(rf"(?<![\w'’-]){_NAMEW}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_NAMEW})+")
# what a helper does for the person who speaks, after "me", "nous", "lui": "Şükran me garde
# les enfants"
_HELPER_VERBS = (
    r"dit|disait|rappelle|rappelait|montre|montrait|conseille|reçoit|recevait|répond|garde|"
    r"gardait|envoie|envoyait|prête|prêtait|donne|donnait|amène|amenait|emmène|emmenait|"
    r"conduit|conduisait|dépose|déposait|traduit|traduisait|remplit|remplissait|scanne|"
    r"imprime|imprimait|photocopie|explique|expliquait|écrit|écrivait|aide|aidait|accompagne|"
    r"accompagnait|dépanne|dépannait|héberge|hébergeait|écoute|écoutait|oriente|orientait|"
    r"inscrit|installe|installait|apprend|apprenait|fait|faisait|appelle|appelait|soutient|"
    r"soutenait|suit|suivait|lit|lisait|relit|paie|payait|avance|avançait|file|filait|téléphone"
)
_PERSON_VERB = (
    # after "m'" only a verb can come: "marceline m'envoie les photos"
    rf"(?:(?i:m['’])[{_L}]+|(?i:nous[ \t]+|lui[ \t]+|l['’])"
    r"(?:a|avait|aide|aidait|explique|expliquait|dit|disait|appelle|appelait|rappelle|rappelait|"
    r"montre|montrait|conseille|accompagne|accompagnait|reçoit|recevait|écrit|répond)|"
    # "me" elides before a vowel: "sold me a laptop" is no French
    rf"(?i:me[ \t]+|nous[ \t]+|lui[ \t]+)(?:{_HELPER_VERBS})|"
    r"est[ \t]+(?:venue?|passée?|partie?|arrivée?)|a[ \t]+(?:dit|appelé|rappelé|répondu|expliqué))"
    r"(?![\w])"
)
# a name that is also a word, typed in lower case before a verb of a person ("blanche me dit")
_BEFORE_PERSON_VERB = rf"(?=[ \t]+{_PERSON_VERB})"
_PERSON_VERB_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAMEW})(?:,?[ \t]+qui)?[ \t]+{_PERSON_VERB}"  # "X, qui m'a dit"
)
# the same in lower case: "abdelhakim m'a montré" (the unknown words before the verb)
_LOWER_BEFORE_VERB_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>[{_L}][{_L}-]+(?:[ \t]+[{_L}][{_L}-]+)?)[ \t]+{_PERSON_VERB}"
)
# a lower-case name between quotation marks of any style, as an e-mail sender or a contact
# shows it ("un mail de « anthime pradelou »"): two or three words (the detector keeps them
# when no word list knows any of them)
_LOWER_QUOTED_RE = re.compile(
    r"(?:«[ \t\u00a0\u202f]*|[\"“„‹‘'])"
    rf"(?P<name>[{_L}][{_L}-]+(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?[{_L}][{_L}-]+){{1,2}})"
    r"(?:[ \t\u00a0\u202f]*»|[\"”“›’'])"
)
# "c'est Ti-Jo qui", "c'est Ti-Jo, un ami du quartier, qui m'aide"
_CEST_QUI_RE = re.compile(
    rf"(?i:c['’](?:est|était|etait))[ \t]+(?P<name>{_NAME_SEQ})(?:,[^,.;:!?\n]{{1,50}},)?[ \t]+(?i:qui|que)\b"
)

# "Santiago Urquiaga et sa femme", "Kerbiriou et ses enfants": someone with a family is a person
_WITH_FAMILY_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAME_SEQ})[ \t]+(?:(?i:et|avec)[ \t]+(?i:son|sa|ses|leur|leurs)|"
    r"(?i:and|with)[ \t]+(?i:his|her|their))[ \t]+"
    r"(?i:mari|femme|épouse|époux|compagnon|compagne|conjointe?|fils|fille|filles|enfants|gosses|"
    r"frère|frères|sœur|sœurs|soeur|soeurs|mère|père|parents|petits-enfants|belle-mère|beau-père|"
    r"wife|husband|son|sons|daughter|daughters|kids|children|partner|mother|father|parents)"
    r"(?![\w-])"
)
# "Dimitar, Stoyanka et Kalina": capitalised names listed with commas and "et" / "ou"
_ENUMERATION_RE = re.compile(
    rf"(?<![\w'’-]){_NAME_SEQ}(?:(?:,[ \t]+|[ \t]+(?:et|ou|and|or|&)[ \t]+){_NAME_SEQ})+"
)
_ENUMERATION_SEP_RE = re.compile(r",[ \t]+|[ \t]+(?:et|ou|and|or|&)[ \t]+")
# one name word after a phrase that introduces a person ("avec Nkechi et Adaeze", "spoke to
# Siobhan", "j'ai appelé Ruairi"), and the names joined to it by "et", "and" or a comma
_PERSON_CUE_NAMES_RE = re.compile(
    r"(?<![\w'’-])(?:(?i:avec|with|parlé[ \t]+(?:à|avec)|(?:spoke|talked)[ \t]+(?:to|with)"
    r"|(?:j['’]ai|on[ \t]+a|nous[ \t]+avons|il[ \t]+a|elle[ \t]+a)[ \t]+appelé)"
    r"|(?:I|[wW]e|[sS]he|[hH]e|[tT]hey)[ \t]+called)[ \t]+"
    rf"(?P<names>{_NAMEW}(?:(?:,[ \t]+|[ \t]+(?:et|and)[ \t]+){_NAMEW})*)(?![\w'’-]|[ \t]+{_CAPW})"
)

# a form's field copied into an answer: "NOM : VANDERSTRAETEN", "référent : AL-HAMWI Rami",
# "NOM DE L'ALLOCATAIRE : OUEDRAOGO-KABORE"
_FORM_FIELD_RE = re.compile(
    r"(?<![\w])(?i:(?:nom|prénom|prenom|prénoms|nom[ \t]+de[ \t]+(?:naissance|famille|jeune[ \t]+fille)|"
    r"nom[ \t]+d['’]usage|nom[ \t]+et[ \t]+prénoms?|nom[ \t]+marital|"
    r"référente?|referente?|demandeur|demandeuse|allocataire|bénéficiaire|beneficiaire|"
    r"assurée?|titulaire|signataire|destinataire|expéditeur|expéditrice|locataire|"
    r"interlocuteur|interlocutrice|agent|agente|conseiller|conseillère|suivi[ \t]+par|"
    r"dossier[ \t]+suivi[ \t]+par|name|surname|first[ \t]+name|last[ \t]+name|full[ \t]+name|"
    r"family[ \t]+name|applicant|tenant|claimant)"
    r"(?:[ \t]+(?:de[ \t]+l['’]|de[ \t]+la[ \t]+|du[ \t]+|des[ \t]+)[\w]+)?)"
    rf"[ \t]*:[ \t]*[«\"“]?[ \t]*(?P<name>{_NAME_SEQ})"
)

# Cues of a person around a name the model missed (checked by the detector as guesses)
_POSSESSIVES = r"(?:mon|ma|mes|notre|nos|son|sa|ses|leur|leurs)"
# "Rasoanaivo, Kerhoas et ma fille Tiavina": names listed before a relation and its name
_ENUMERATION_TO_RELATION_RE = re.compile(
    rf"(?<![\w'’-])(?P<names>{_NAME_SEQ}(?:,[ \t]+{_NAME_SEQ}){{0,4}})"
    rf"(?:,[ \t]+|[ \t]+(?:et|and|&)[ \t]+)(?:{_POSSESSIVES}|(?i:my|our|his|her|their))[ \t]+"
    rf"(?:(?:{_KIN_BEFORE})[ \t]+)?(?:{_RELATIONS}|{_RELATIONS_EN})[sx]?[ \t]+"
    rf"(?P<name>{_NAME_SEQ})"
)
# "y a Kannan qui fait la traduction": someone who does something
_Y_A_QUI_RE = re.compile(
    rf"(?<![\w])(?i:y[ \t]+a|y['’]a|voilà|voila)[ \t]+(?P<name>{_NAMES_SEQ})"
    r"(?:,[^,.;:!?\n]{1,50},)?[ \t]+(?i:qui)(?![\w])"  # "y a Zilan et Zozan, deux filles, qui"
)
# "Soazig, ma voisine du dessus": a name in apposition to a relation
_APPOSITION_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAME_SEQ}),[ \t]+{_POSSESSIVES}[ \t]+(?:{_RELATIONS})(?![\w])"
)
# "Dimitrov, l'écrivain public de la maison des associations", "Lenuța et Petruța, deux
# médiatrices", "Kamelia, a nurse at...", "L. Moreau, assistante sociale": one or more names
# followed by a person noun in apposition (with an article, a number or none)
_APPOSED_PERSON_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAMES_SEQ})"
    r"(?:,[ \t]+|[.;]?[ \t]+(?i:c['’](?:est|était|etait)|ce[ \t]+sont)[ \t]+)"
    rf"(?:(?i:le|la|l['’]|les|des|mes|nos|un|une|the|a|an|my|his|her|our|their)[ \t]*)?"
    rf"(?P<count>(?i:{_COUNT})[ \t]+)?"
    rf"(?:(?i:{_KIN_BEFORE})[ \t]+)?"
    rf"(?P<noun>(?i:{_RELATIONS}|{_PERSON_NOUNS}|{_RELATIONS_EN})[sx]?)(?![\w'’-])"
)
# "il y a deux personnes qui font l'aide numérique, Louiza et Gervais": a count of people, what
# they do, then as many names (the detector checks the count)
_COUNTED_BEFORE_RE = re.compile(
    rf"(?<![\w])(?P<count>(?i:{_COUNT}))[ \t]+(?:(?i:{_KIN_BEFORE})[ \t]+)?"
    rf"(?i:{_RELATIONS}|{_PERSON_NOUNS}|{_RELATIONS_EN})[sx]?(?![\w'’-])[^.;!?\n]{{0,60}}?"
    rf"[,:][ \t]+(?P<name>{_NAMES_SEQ})(?=[ \t]*(?:[,.;:!?)…]|$))"
)
# "j'ai un ami, Lapierre, il...", "la dame de l'accueil, Rosalinde, et ...": a relation or a
# person with an article (and what they do or where), then the name set off by commas
_ARTICLE_RELATION_RE = re.compile(
    rf"(?<![\w])(?i:(?:un|une)[ \t]+(?:{_RELATIONS})|"
    rf"(?:le|la|l['’])[ \t]*(?:{_RELATIONS}|{_PERSON_NOUNS})"
    r"(?:[ \t]+(?:de[ \t]+la|de[ \t]+l['’]|du|des|de|d['’])[ \t]*[\w-]+)?)"
    rf",[ \t]+(?P<name>{_NAME_SEQ})(?=[ \t]*(?:[,.;:!?)…]|$|(?i:qui|et|il|elle)(?![\w])))"
)
# "le médiateur numérique de la mairie, Gwen Le Bihan, passe...", "a guy at the phone shop,
# Arjun, sold me...": a person noun with an article, what it does or where (any words, not
# past a comma or a "que"), then a name set off by a comma (the detector checks it as a guess)
_ARTICLE_NOUN_FAR_RE = re.compile(
    rf"(?<![\w])(?i:(?:un|une|le|la|l['’]|the|a|an)[ \t]*"
    rf"(?:{_RELATIONS}|{_PERSON_NOUNS}|{_RELATIONS_EN})[sx]?)(?![\w'’-])"
    r"(?:(?!(?<![\w])(?i:que|qu['’]|that|which)(?![\w]))[^,.;:!?\n]){1,60}"
    rf",[ \t]+(?P<name>{_NAME_SEQ})"
    r"(?=[ \t]*(?:[,.;:!?)…]|$|(?i:qui|et|il|elle|who|and|he|she)(?![\w])))"
)
# "Ma petite Eudoxie elle m'aide": a name after a possessive and a word of endearment (the
# detector checks it as a guess: a common word is no name)
_ENDEARED_RE = re.compile(
    rf"(?<![\w])(?i:{_POSSESSIVES}[ \t]+(?:petite?|p['’]tite?|grande?|chère|cher|vieille|vieux|"
    rf"pauvre|gentille?))[ \t]+(?P<name>{_NAMEW})"
)
# "L'animateur, Ghjulia Bonhomme, elle voulait...": a name between commas taken up by a
# pronoun; not an impersonal "il" ("Lyon, il y a...", "Bref, il faut...")
_IMPERSONAL = (r"(?!(?:y|faut|fallait|paraît|parait|semble|semblait|fait|faisait|reste|suffit|"
               rf"manque|vaut)(?![{_L}]))")
_APPOSED_RESUMED_RE = re.compile(
    rf",[ \t]+(?P<name>{_NAME_SEQ}),[ \t]+(?:il|elle)[ \t]+{_IMPERSONAL}(?=[{_L}])"
)
# "je demande à aristarque, aristarque vercoutre-mpiana, il était...": lower-case words set off
# by commas and taken up by a pronoun (the detector keeps them when none is a common word)
_LOWER_APPOSED_RESUMED_RE = re.compile(
    rf",[ \t]+(?P<name>{_LOWER_WORD}(?:[ \t]+{_LOWER_WORD}){{0,2}}),[ \t]+(?:il|elle)[ \t]+"
    rf"{_IMPERSONAL}(?=[{_L}])"
)
# "Lapierre il appelle", "maddi, elle parle basque": a name taken up by a pronoun (the detector
# checks that it opens a sentence)
_RESUMED_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAMEW}|[{_L}][{_L}-]{{2,}}),?[ \t]+(?:il|elle)[ \t]+{_IMPERSONAL}"
    rf"(?=[{_L}])"  # "Visale, il faut...": no one is taken up
)
# "demande à Gweltaz, c'est lui qui connaît": a name taken up by "c'est lui / elle qui"
_CEST_LUI_QUI_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAMES_SEQ})(?:[ \t]+(?:de|du|des|d['’])[^,.;:!?\n]{{1,40}})?,?[ \t]+"
    r"(?i:c['’](?:est|était|etait))[ \t]+(?:lui|elle|eux|elles)[ \t]+qui(?![\w])"
)
# "Albertino c'est mon grand-père", "Soizic, c'était ma voisine", "Lansana, c'est le grand
# frère", "X, c'est mon nom de jeune fille": a name said to be a relation, a role or a name
_IS_RELATION_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAME_SEQ}),?[ \t]+(?i:c['’](?:est|était|etait))[ \t]+"
    rf"(?:(?i:{_POSSESSIVES}|le|la|l['’]|un|une)[ \t]*(?:(?i:{_KIN_BEFORE})[ \t]+)?"
    rf"(?i:{_RELATIONS})|(?i:{_POSSESSIVES})[ \t]+(?i:nom|prénom|surnom))(?![\w'’-])"
)
# "la dame de la mission locale, c'était Azilis": a person named after the fact
_PERSON_WAS_RE = re.compile(
    rf"(?<![\w])(?i:{_PERSON_NOUNS}|{_RELATIONS})(?:[ \t]+(?:de|du|des|d['’])[^,.;:!?\n]{{1,40}})?"
    rf",?[ \t]+(?i:c['’](?:est|était|etait))[ \t]+(?P<name>{_NAME_SEQ})(?=[ \t]*[,.;:!?)…]|$)"
)
# "appeler gülizar wattebled, c'est elle qui...": lower-case words taken up by "c'est elle qui"
# (the detector keeps the words that are no common word)
_LOWER_CEST_LUI_QUI_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>{_LOWER_WORD}(?:[ \t]+{_LOWER_WORD}){{0,2}}),?[ \t]+"
    r"c['’]est[ \t]+(?:lui|elle)[ \t]+qui(?![\w])"
)
# "ma tante mahjouba slimani", "mon ex, lounès benyoucef": lower-case words after a relation
_LOWER_RELATION_RE = re.compile(
    rf"(?<![\w])(?i:{_POSSESSIVES}[ \t]+(?:{_RELATIONS}))(?![\w-]),?[ \t]+"
    rf"(?P<name>{_LOWER_WORD}(?:[ \t]+{_LOWER_WORD})?)"
)
# "mme sauvage m'a dit": one lower-case word after a title, even a common adjective
_LOWER_TITLE_WORD_RE = re.compile(
    rf"(?<![\w]){_NOT_AFTER_ARTICLE}(?i:madame|monsieur|mademoiselle|mme|mlle)"
    rf"[ \t]+(?P<name>{_LOWER_WORD})"
)
# "TRAN VAN KHIEM": two to four words in capitals (the detector rules out acronyms and words)
_CAPS_SEQ_RE = re.compile(
    rf"(?<![\w'’-])[{_U}]{{2,}}(?:-[{_U}]{{2,}})*(?:[ \t]+[{_U}]{{2,}}(?:-[{_U}]{{2,}})*){{1,3}}"
    rf"(?![\w'’-])"
)
# one word before or after a name (to extend "Ibou" to "Ibou Ndiaye-Gueye")
_WORD_BEFORE_RE = re.compile(r"(?:^|(?<=[^\w'’-]))(?P<word>[\w][\w'’-]*)[ \t]+$")
_WORD_AFTER_RE = re.compile(r"[ \t]+(?P<word>[\w][\w'’-]*)(?![\w'’-])")

_STREET_TYPES = (
    r"rue|avenue|av\.?|bd|boulevard|bld|impasse|imp\.|allée|allee|allées|chemin|ch\.|place|pl\.|"
    r"route|rte|quai|cours|lieu[- ]dit|lieudit|résidence|residence|square|passage|villa|cité|cite|"
    r"hameau|sentier|voie|rond-point|faubourg|fbg|chaussée|esplanade|parvis|promenade|ruelle|"
    r"traverse|lotissement|lot\.|domaine|clos|mail|montée|côte|rampe|venelle|sente|"
    r"square|ZA|ZI|ZAC|HLM|bâtiment|bat\."
)
_ADDR_PART = (
    r"(?:(?:de|du|des|la|le|les|aux|au|en|sur|sous|lès|saint|sainte)[ \t]+|[dlDL]['’][ \t]*)"
)
_STREET_NAME = (
    rf"(?:[ \t]+(?:{_ADDR_PART}+[\w'’-]+|{_NAMEW}|\d{{1,4}}(?:er|e)?(?!\d)|{_INITIAL}))"
    r"{1,6}"
)
# street types that are also common nouns ("3 cours d'informatique", "2 places"): the name
# that follows them must be capitalised and not a service name
_WEAK_STREET_TYPES = {"cours", "place", "pl.", "passage", "villa", "mail", "voie", "domaine",
                      "clos", "montée", "côte", "rampe", "bâtiment", "bat.", "square", "cité",
                      "cite", "lot.", "résidence", "residence", "hlm", "za", "zi", "zac"}
_TOWN = (
    rf"(?:(?:Le|La|Les|L['’])[ ]?)?(?:(?:Saint|Sainte|St|Ste)[- ])?{_CAPW}"
    rf"(?:-(?:(?:sur|sous|en|lès|les|le|la|de|du|des|aux|et|d['’]|l['’])-?)*{_CAPW})*"
    r"(?:[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)?"
)
_POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-5]|97|2[AB])\d{3}"
_STREET_RE = re.compile(
    rf"(?<![\w,.])\d{{1,4}}(?:[ ]?(?:bis|ter|quater|[A-Da-d])(?![\w]))?,?[ \t]+"
    rf"(?P<type>(?i:{_STREET_TYPES}))(?![\w])(?P<name>{_STREET_NAME})"
    rf"(?P<town>[ \t]*,?[ \t]*(?:{_POSTCODE}[ \t]+{_TOWN}|{_POSTCODE}|(?:à|a)[ \t]+{_TOWN}))?"
)
_HABITAT_RE = re.compile(
    r"(?i:habite|habitons|habitez|habitent|habitais|domiciliée?s?|demeurant|vis|vit|vivons|"
    r"logée?s?|loge)[ \t]+(?i:au[ \t]+|à[ \t]+la[ \t]+|à[ \t]+l['’]|dans[ \t]+la[ \t]+|"
    r"sur[ \t]+la[ \t]+|en[ \t]+|le[ \t]+|la[ \t]+)?"
    rf"(?P<addr>(?P<type>(?i:{_STREET_TYPES}))(?![\w])(?P<name>{_STREET_NAME})"
    rf"(?P<town>[ \t]*,?[ \t]*(?:{_POSTCODE}[ \t]+{_TOWN}|(?:à|a)[ \t]+{_TOWN}))?)"
)
_PLACE_NAME_RE = re.compile(
    r"(?<![\w])(?i:lieu[- ]dit|lieudit|résidence|residence|hameau|lotissement)[ \t]+"
    rf"(?:(?:Les|Le|La|L['’]|Des|Du|De)[ ]?)?{_CAPW}(?:[ \t-]+(?:{_ADDR_PART}[ \t]+)?{_CAPW}){{0,3}}"
)
_POSTCODE_TOWN_RE = re.compile(
    rf"(?<![\w,.])(?:{_POSTCODE})[ \t]+{_TOWN}|{_TOWN}[ \t]?\({_POSTCODE}\)"
)

_PLACEHOLDER_RE = re.compile(r"\[(" + "|".join(PLACEHOLDER_LABELS.values()) + r")_(\d+)\]")
_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")
_TOKEN_RE = re.compile(r"[\w]+(?:['’][\w]+)?", re.UNICODE)
_SENTENCE_END = set(".!?…:;\n\r")
_OPENERS = set(" \t\"'«“‘(-–—•*[>")
_CONNECTORS = {"de", "du", "des", "d", "à", "au", "aux", "chez", "pour", "avec", "la", "le", "les",
               "l", "et", "en", "sur"}
_ARTICLES = {"la", "le", "les", "l"}
_OF = {"de", "du", "des"}
# a definite article right before a capitalised word: an organisation or a place ("la Cimade")
_ARTICLE_BEFORE_RE = re.compile(r"(?:(?<![\w'’])(?i:la|le|les)[ \t]+|(?<![\w])[lL]['’])$")
# a service and "de" before a name: "la CAF de", "l'URSSAF de", "la Mission locale de"
_SERVICE_OF_RE = re.compile(r"(?P<service>[\w]+)[ \t]+(?:de|du|d['’])[ \t]*$")
# a compound town name: "Clichy-sous-Bois", "Villeneuve-sur-Lot", "Saint-Ouen", never a person's
_TOWN_SHAPE_RE = re.compile(
    r"[\w]-(?:sur|sous|lès|les|lez|en|aux|le|la|de|du|des|et)-[\w]|^(?:Saint|Sainte|St|Ste)-[\w]"
)
# a name right after these words is a place or a building, not a person
_FACILITY_BEFORE_RE = re.compile(
    r"(?i:\b(?:médiathèque|bibliothèque|lycée|collège|école|groupe scolaire|centre social|"
    r"centre|maison|salle|espace|quartier|cité|foyer|hôpital|clinique|gare|stade|parc|"
    r"musée|théâtre|cinéma|campus|université|institut|résidence|ehpad|rue|avenue|boulevard|"
    r"allée|impasse|place|square|quai|pont|station|arrêt|métro|lycée professionnel|"
    # a pick-up point or a shop: "point Locker", "point relais Pickup", "agence Intérim Plus"
    r"point|point relais|relais|agence|boutique|magasin)"
    r"[ \t]+(?:de[ \t]+la[ \t]+|de[ \t]+l['’]|du[ \t]+|des[ \t]+|de[ \t]+|d['’])?)$"
)
# a guessed name right after these nouns names a product or a scheme: "le réseau Tisséo", "la
# plateforme Aidants Connect", "un garant Visale", "un compte France Connect"
_THING_BEFORE_RE = re.compile(
    r"(?i:\b(?:réseau|plateforme|appli|application|site|logiciel|dispositif|compte|carte|garant|"
    r"garantie|programme|offre|abonnement|forfait|contrat|prêt|allocation|prime|chèque|pass|"
    r"label|marque|enseigne|opérateur|banque|mutuelle|assurance|box|messagerie|portail|"
    r"platform|app|website|scheme|card|account|network))[ \t]+$"
)
_PLACE_BEFORE_RE = re.compile(
    # not "à" nor "de": "j'ai demandé à Gwenaëlle", "le dossier de Kowalczyk"
    r"(?i:(?:\ben|\bvers|\bprès[ \t]+de|\bcôté[ \t]+de|\bautour[ \t]+de|\bhabite[ \t]+à|"
    r"\bvit[ \t]+à|\bvis[ \t]+à|\bsur|\bdepuis|\bjusqu['’]à|\bde[ \t]+l['’]|"
    r"\b(?:celle|celui|ville|commune|mairie|ccas|village|bourg|canton|secteur|coin|région|"
    r"département|agglomération|agglo|banlieue|périphérie|environs|alentours|centre-ville|"
    r"préfecture|sous-préfecture|gens|habitants|gendarmerie|commissariat|tribunal|caserne|"
    r"paroisse|rectorat)[ \t]+(?:de|d['’]|du)|"
    # "à Lure" is a place, "j'ai demandé à Gwenaëlle" is not
    r"(?<!\w)(?<!demandé )(?<!demande )(?<!parlé )(?<!parle )(?<!dit )(?<!écrit )(?<!écris )"
    r"(?<!envoyé )(?<!envoie )(?<!envoyez )(?<!téléphoné )(?<!donné )(?<!donne )(?<!montré )"
    r"(?<!expliqué )(?<!prêté )(?<!confié )(?<!répondu )(?<!adressé )(?<!présenté )"
    r"(?<!demander )(?<!parler )(?<!dire )(?<!écrire )(?<!envoyer )(?<!téléphoner )"
    r"(?<!donner )(?<!montrer )(?<!expliquer )(?<!grâce )"
    r"(?<!ça )(?<!cela )(?<!merci )à)[ \t]*)$"
)
_INTERJECTIONS = {"bonjour", "bonsoir", "merci", "salut", "bravo", "coucou", "allô", "allo", "oui",
                  "non", "ah", "oh", "bref", "enfin", "voilà", "voila", "alors", "sinon", "après",
                  "ensuite", "donc", "bon", "ben", "euh", "hélas", "heureusement", "bah", "beh",
                  "bof", "hein", "ouais", "mouais", "pff", "hum", "ok", "okay", "ouf"}
_NAME_PARTICLES = {"de", "du", "des", "d", "le", "la", "van", "von", "der", "den", "ben", "ibn",
                   "el", "al", "bin", "da", "dos", "das", "di", "del", "della"}
_TITLE_WORDS = {"mme", "mmes", "madame", "mesdames", "mlle", "mlles", "mademoiselle", "monsieur",
                "messieurs", "m", "mm", "mr", "dr", "docteur", "docteure", "pr", "professeur",
                "professeure", "maitre", "maître", "mgr", "meme", "memere", "pepe", "pepere",
                "mamie", "mamy", "mame", "papi", "papy", "tata", "tatie", "tonton", "pere", "mrs", "ms",
                "miss",
                "sœur", "soeur", "frere", "abbe", "pasteur", "imam", "rabbin"}

