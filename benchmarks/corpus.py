"""A seeded synthetic portal: N contract-valid insights, with personas and
journeys in proportion, for benchmarks and scale tests.

    python benchmarks/corpus.py OUT_DIR --insights 10000 [--seed 1] [--git-commits 10000]
                                [--vocabulary synthetic|realistic]

The corpus passes `portal check --today 2026-11-24` with 0 errors (reminders
about decision debt and persona reviews are expected: they are realistic). The
same seed always writes the same bytes. Nothing in it is personal data: no
e-mail addresses, no long runs of digits.

--vocabulary chooses the words of titles, summaries, bodies and evidence quotes:
`synthetic` (the default, and what earlier benchmark numbers were measured on) draws
on ~150 words, so any of them is on most pages; `realistic` on ~5,000, with
Zipf-like frequencies (realistic_vocabulary): real English words first, then
pronounceable made-up ones, so a word can be picked on 1%, 7%, 18% or 50% of the
pages (benchmarks/search.py --frequencies). Ids, persona names, teams, tags and the
other registries stay as in the synthetic corpus.

With --git-commits N, OUT_DIR also becomes a git repository whose N commits tell
how the insights got there (add_git_history): added over time, decisions moved
through their statuses (some reopened), a few bodies edited, every commit before
--today; the last commit's tree is the corpus as written. No insight carries
`decision.history`, so the portal's timelines come from git.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LATEST = dt.date(2026, 11, 20)  # no date of something that happened lies after this
EARLIEST = dt.date(2023, 1, 2)
TODAY = "2026-11-24"  # the reference date the corpus is meant to be checked with

TEAMS = (
    "research-team", "cx-team", "marketing", "growth-team", "catalogue-team",
    "checkout-team", "fulfilment-ops", "delivery-ops", "customer-care", "business-team",
    "payments-team", "mobile-team", "platform-team", "pricing-team",
)
TAGS = (
    "accessibility", "billing", "communication", "delivery-slots", "discounts", "errors",
    "fees", "forms", "freshness", "help-centre", "invoicing", "loyalty", "mobile",
    "navigation", "notifications", "onboarding", "packaging", "payments", "performance",
    "pricing", "privacy", "recommendations", "refunds", "returns", "reviews", "search",
    "subscription", "substitutions", "tracking", "trust",
)
KINDS = {"pain": 50, "delight": 15, "need": 25, "behaviour": 10}
STATUSES = {"new": 12, "under-review": 13, "accepted": 20, "in-progress": 14, "done": 22,
            "declined": 11, "superseded": 8}
SEVERITIES = ("low", "medium", "medium", "high", "high", "critical")
CONFIDENCES = ("low", "medium", "medium", "high")
SOURCES = ("interview", "focus-group", "observation", "survey", "analytics", "support-ticket",
           "usability-test", "review", "sales-call", "dogfooding")
REF_PREFIX = {"interview": "INT", "focus-group": "FG", "observation": "OBS", "survey": "SRV",
              "analytics": "DASH", "support-ticket": "ZD", "usability-test": "UT",
              "review": "REV", "sales-call": "CALL", "dogfooding": "DOG"}
AUTHORS = ("dana", "priya", "tom", "amara", "lukas", "mei", "sofia", "kwame", "ines", "ravi",
           "hana", "oskar", "leila", "marco", "yuki", "ada")
STAGES = (
    ("discover", "Discover"), ("sign-up", "Sign up"), ("browse", "Browse and search"),
    ("basket", "Build the basket"), ("checkout", "Choose a slot and pay"),
    ("delivery", "Delivery"), ("after-delivery", "Unpack and come back"),
    ("support", "Get help"), ("renew", "Renew or cancel"), ("returns", "Return an item"),
)
STAGES_PER_JOURNEY = 6
METRICS = (("Completion rate", "ratio", "higher"), ("Median time on step", "seconds", "lower"),
           ("Drop-off", "percent", "lower"), ("Satisfaction", "score", "higher"),
           ("Contacts per thousand orders", "count", "lower"))

SUBJECTS = ("shoppers", "new customers", "regular customers", "parents", "office managers",
            "members", "older customers", "students", "small businesses", "returning buyers",
            "mobile users", "people on the website")
VERBS = ("abandon", "struggle with", "misread", "skip", "double-check", "ignore", "praise",
         "complain about", "search for", "give up on", "rely on", "ask about", "distrust",
         "enjoy", "forget", "repeat", "compare", "postpone", "question", "return to")
ADJECTIVES = ("hidden", "slow", "confusing", "late", "missing", "helpful", "unexpected",
              "clear", "long", "broken", "reliable", "small", "expensive", "familiar",
              "crowded", "quiet", "generous", "strict", "vague", "friendly")
NOUNS = ("delivery fee", "address form", "slot picker", "basket total", "search results",
         "substitution", "refund", "receipt", "van tracker", "voucher", "sign-up form",
         "payment step", "product page", "help article", "reminder", "invoice", "filter",
         "order history", "loyalty points", "cancellation", "password reset", "price label",
         "stock warning", "confirmation message", "chat window", "checkout button")
ROLES = ("shopper", "parent", "office manager", "member", "student", "small business owner",
         "returning buyer", "commuter", "carer", "bulk buyer", "gift buyer", "first-time buyer")
PLACES = ("at checkout", "on the phone", "in the app", "after delivery", "before sign-up",
          "during the first order", "on a busy evening", "at the door", "in the basket",
          "when stock runs low", "on the weekly shop", "at the end of the month")
FILLERS = ("Several people said the same thing in different words",
           "The pattern repeats across regions and devices",
           "Support agents recognise the problem immediately",
           "Nobody in the sessions read the small print",
           "Most of them found a workaround on their own",
           "The numbers moved after the last release",
           "It happens more often with larger baskets",
           "Few of them would mention it unless asked",
           "Some would rather phone us than try again",
           "The team had assumed the opposite")
OUTCOMES = ("Contacts about this fell by a third within two months.",
            "Drop-off on the step halved after the change shipped.",
            "Satisfaction on the step rose from fair to good in the next survey.",
            "Repeat orders from the affected group rose noticeably.",
            "Complaints stopped appearing in the weekly review.",
            "The workaround is no longer needed and the help article was retired.")
RATIONALES = ("The cost outweighs the benefit for the few customers affected.",
              "Legal and safety constraints rule this out for now.",
              "A broader change already planned covers the underlying need.",
              "Evidence is too thin to justify the work; we will watch the numbers.",
              "It conflicts with a commitment made to our delivery partners.")


# --- the realistic vocabulary (--vocabulary realistic) ------------------------------
#
# The synthetic text above draws on ~150 words, so every content word is on most
# pages: a search for any of them matches ~75% of the insights. The realistic
# vocabulary has ~5,000 distinct words whose frequencies fall with rank as in
# natural text (Zipf, exponent ~1), so some words are on half the pages and many on
# fewer than one in a hundred. Sentences keep a fixed grammatical frame; each slot
# (a noun, verb, adjective, adverb or a group of people) is filled from that part of
# speech, with weight 1/(rank + 10). The real English words below take the first ranks of
# their part of speech; generated pronounceable pseudo-words (syllables) fill the rest
# up to ~5,000. Each part gets a number of words in proportion to how often its slot
# comes up, so the pooled rank-frequency curve keeps the exponent of 1 down to the
# rarest words.

VOCABULARIES = ("synthetic", "realistic")
REALISTIC_SIZE = 5000  # distinct words, frame words included
ZIPF_EXPONENT = 1.0
# Weights are 1/(rank + ZIPF_OFFSET) (Zipf-Mandelbrot): the offset stands for the
# frame's function words ("the", "and", "to"...), which take the first ranks of real
# text, and keeps the commonest noun from filling every other sentence.
ZIPF_OFFSET = 10


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


R_NOUNS = _words("""
    basket order delivery driver van slot window fee price receipt refund voucher coupon
    discount offer bag box crate cooler fridge freezer shelf aisle store shop warehouse
    depot route doorstep door porch neighbour flat building lift staircase street postcode
    address map phone app website screen button banner page menu filter list label account
    password login message notification reminder call chat agent complaint question answer
    apology substitute substitution replacement item product brand range stock shortage
    milk bread butter cheese yoghurt cream banana apple orange lemon tomato potato onion
    carrot lettuce spinach pepper cucumber avocado berry grape melon chicken beef mince
    sausage bacon salmon tuna rice pasta flour sugar salt oil sauce soup cereal biscuit
    cake chocolate snack juice water coffee wine nappy detergent shampoo soap toothpaste
    tissue battery candle flower herb spice meal recipe lunch dinner breakfast picnic party
    budget bill invoice payment card wallet checkout total subtotal deposit charge
    subscription membership plan trial bundle pack size weight portion expiry quality
    damage leak spill bruise temperature ice heat rain weekend morning evening afternoon
    night week month holiday routine habit family household kitchen cupboard pantry
    table note instruction preference allergy diet ingredient warning promise estimate
    delay queue rush peak gap mistake surprise worry rating star feedback comment story
    reason problem goal task moment experience detail photo picture icon colour font
    layout toggle checkbox dropdown calendar clock timer countdown tracker courier parcel
    locker pickup collection exchange credit balance reward promotion deal saving cost
    value amount update version release feature setting option shortcut link barcode
    scanner printout paper bottle jar tin carton tray punnet packet wrapper plastic
    cardboard recycling bin sticker seal lid kettle oven microwave toaster blender
    sandwich salad pizza noodle curry yogurt honey jam peanut almond oat lentil bean
    garlic ginger mushroom courgette broccoli cabbage pear plum peach mango kiwi
""")
R_VERBS = _words("""
    order reorder pick choose compare check skip miss find lose open close cancel change
    edit swap replace track follow expect notice ignore read scan tap press scroll type
    enter save share print forget remember repeat trust doubt question praise blame avoid
    accept reject postpone schedule book rebook collect carry unpack freeze cook taste
    smell throw keep split count weigh measure add remove drop leave move mention
    describe explain recommend prefer enjoy hate love reach call text contact answer
    report rate test try use buy pay spend clean wash wrap sort stack fill empty pack
    load deliver bring send receive sign photograph mark hide show highlight misread
    abandon revisit browse refresh reload confirm dispute resend reschedule unlock
""")
R_ADJECTIVES = _words("""
    fresh frozen chilled ripe bruised damaged cheap pricey expensive small large heavy
    light warm cold wet dry slow quick fast late early busy quiet crowded empty full
    clean dirty clear vague confusing hidden visible obvious simple complicated tiny huge
    familiar strange unexpected helpful friendly rude polite patient careful careless
    reliable unreliable broken missing wrong correct extra separate single double weekly
    monthly daily regular occasional local nearby distant narrow wide bright dark loud
    soft sticky plain fancy organic seasonal healthy sweet sour bitter salty spicy ready
    useful useless annoying pleasant awkward tidy messy generous strict fair unfair safe
    risky smooth rough shiny faded tired happy worried relieved grateful frustrated
    curious
""")
R_ADVERBS = _words("""
    usually rarely always never sometimes quickly slowly carefully quietly happily finally
    suddenly eventually already again instead twice nearly barely mostly simply clearly
    honestly actually really gladly reluctantly politely silently immediately later soon
    regularly occasionally openly
""")
R_PEOPLE = _words("""
    customers shoppers parents drivers pickers members students couples families agents
    neighbours regulars newcomers commuters carers pensioners grandparents flatmates
    teachers nurses cooks bakers cyclists tenants landlords retailers suppliers couriers
    volunteers managers buyers sellers testers readers visitors guests friends colleagues
    partners twins
""")
R_PREPOSITIONS = ("at", "in", "on", "after", "before", "during", "near", "with", "without",
                  "around", "behind", "beside", "under")
# Slots: {S} people, {N} noun, {V} verb, {A} adjective, {R} adverb, {P} preposition.
FRAMES = (
    "{S} {V} the {A} {N} {P} the {N}.",
    "When the {N} looks {A}, {S} {V} the {N}.",
    "The {N} and the {N} both feel {A} to {S}.",
    "{S} {R} {V} the {N} because the {N} is {A}.",
    "Most of them {V} the {N} {P} the {A} {N}.",
    "Nobody could {V} the {N} without the {N}.",
    "The {A} {N} makes the {N} feel {A}.",
    "{S} said the {N} was {A} and the {N} was {A}.",
    "It happens more often with the {A} {N}.",
    "{S} would rather {V} the {N} than {V} the {N}.",
    "After the {N}, {S} {R} {V} the {A} {N}.",
    "A few {S} asked about the {N} {P} the {N}.",
    "{S} {V} the {N}, then {V} the {A} {N} {R}.",
    "Some {S} {V} the {N} {R}, but others {V} the {N}.",
    "Without the {N}, the {N} seems {A} to {S}.",
    "Every {N} needs the {A} {N} {P} the {N}.",
)
TITLE_FRAMES = (
    "{S} {V} the {A} {N} {P} the {N}",
    "{S} {R} {V} the {N} when the {N} is {A}",
    "The {A} {N} {P} the {N} puzzles {S}",
    "{S} want to {V} the {N} {P} the {N}",
)
# Pseudo-words: syllables, with endings that mark their part of speech.
ONSETS = ("b", "bl", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fl", "fr", "g", "gl",
          "gr", "h", "j", "k", "l", "m", "n", "p", "pl", "pr", "r", "s", "sc", "sh", "sl",
          "sm", "sn", "sp", "st", "sw", "t", "th", "tr", "v", "w", "y", "z")
NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "oo", "ou", "oa")
CODAS = ("", "", "", "", "n", "r", "l", "m", "s", "t", "nd", "nt", "st", "rk", "mp", "ng",
         "ll", "sk")
ENDINGS = {"N": ("", "", "", "er", "et", "on", "ment", "ion", "ery"),
           "V": ("", "", "", "en", "ate", "ify", "le"),
           "A": ("y", "ish", "ful", "ous", "ic", "al", "less", "ive", "ant"),
           "R": ("ly",)}
# Strings a made-up word must not contain (slurs and swear words the syllables
# could spell by chance), and YAML's words for true, false and null.
_BLOCKED = ("shit", "fuck", "cunt", "nig", "fag", "rape", "cock", "dick", "slut", "whore",
            "piss", "twat", "wank", "kike", "spic", "tit", "cum", "nazi", "porn")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def _frame_parts(frame: str) -> tuple[tuple[str, str], ...]:
    """A frame as (literal text before the slot, slot role) pairs; the last role is ''."""
    parts = re.split(r"\{(\w)\}", frame)
    return tuple((parts[i], parts[i + 1] if i + 1 < len(parts) else "")
                 for i in range(0, len(parts), 2))


def _pseudo_word(rng: random.Random, role: str) -> str:
    syllables = rng.choice((1, 2, 2, 2, 3)) if role == "N" else rng.choice((1, 2, 2))
    word = ""
    for number in range(syllables):
        onset = "" if number == 0 and rng.random() < 0.15 else rng.choice(ONSETS)
        coda = rng.choice(CODAS) if number == syllables - 1 or rng.random() < 0.3 else ""
        word += onset + rng.choice(NUCLEI) + coda
    return word + rng.choice(ENDINGS[role])


@dataclass
class Vocabulary:
    """Words by part of speech, most frequent first, and the sentences made of them."""

    seed: int
    words: dict[str, tuple[str, ...]]  # role -> words, by rank
    cumulative: dict[str, list[float]]  # role -> cumulative 1/rank weights
    frames: tuple[tuple[tuple[str, str], ...], ...]
    title_frames: tuple[tuple[tuple[str, str], ...], ...]

    def distinct(self) -> set[str]:
        """Every word a sentence or title can hold, lower-case."""
        found = {word for words in self.words.values() for word in words}
        for frame in self.frames + self.title_frames:
            for literal, _ in frame:
                found.update(re.findall(r"[a-z]+", literal.lower()))
        return found

    def _fill(self, rng: random.Random, frame: tuple[tuple[str, str], ...]) -> str:
        out = []
        for literal, role in frame:
            out.append(literal)
            if role:
                cumulative = self.cumulative[role]
                out.append(self.words[role][bisect.bisect_right(
                    cumulative, rng.random() * cumulative[-1])])
        text = "".join(out)
        return text[0].upper() + text[1:]

    def sentence(self, rng: random.Random) -> str:
        return self._fill(rng, self.frames[rng.randrange(len(self.frames))])

    def title(self, rng: random.Random) -> str:
        return self._fill(rng, self.title_frames[rng.randrange(len(self.title_frames))])


def realistic_vocabulary(seed: int = 1, size: int = REALISTIC_SIZE) -> Vocabulary:
    """About `size` distinct words, the same for the same seed (the real words' order
    within their part of speech and the pseudo-words both come from it)."""
    rng = random.Random(f"vocabulary-{seed}")
    frames = tuple(_frame_parts(frame) for frame in FRAMES)
    title_frames = tuple(_frame_parts(frame) for frame in TITLE_FRAMES)
    slots = {role: 0 for role in ("S", "N", "V", "A", "R")}
    for frame in frames:  # bodies are nearly all the text: titles are left out here
        for _, role in frame:
            if role in slots:
                slots[role] += 1
    real = {"S": list(R_PEOPLE), "N": list(R_NOUNS), "V": list(R_VERBS),
            "A": list(R_ADJECTIVES), "R": list(R_ADVERBS)}
    taken = {word for words in real.values() for word in words} | set(R_PREPOSITIONS)
    for frame in frames + title_frames:
        for literal, _ in frame:
            taken.update(re.findall(r"[a-z]+", literal.lower()))
    generated = {"N", "V", "A", "R"}  # people stay real: a few dozen groups
    fixed = len(taken) - sum(len(real[role]) for role in generated)
    content_slots = sum(slots[role] for role in generated)
    words: dict[str, tuple[str, ...]] = {}
    for role, listed in real.items():
        rng.shuffle(listed)
        if role in generated:  # words in proportion to the slots they fill
            wanted = max(len(listed), round((size - fixed) * slots[role] / content_slots))
            while len(listed) < wanted:
                word = _pseudo_word(rng, role)
                if (4 <= len(word) <= 12 and word not in taken and word not in _YAML_WORDS
                        and not re.search(r"(.)\1\1", word)
                        and not any(bad in word for bad in _BLOCKED)):
                    taken.add(word)
                    listed.append(word)
        words[role] = tuple(listed)
    words["P"] = R_PREPOSITIONS
    # One ranking over all parts of speech: their words interleaved in proportion to
    # their numbers (a part with twice the words has one in every two ranks), so each
    # part's share of the weight matches its share of the slots.
    ranked = sorted((index / len(listed), role, index) for role, listed in words.items()
                    if role in generated for index in range(len(listed)))
    weight = {(role, index): 1.0 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT
              for rank, (_, role, index) in enumerate(ranked, start=1)}
    for index in range(len(words["S"])):
        weight["S", index] = 1.0 / (index + 1 + ZIPF_OFFSET) ** ZIPF_EXPONENT
    for index in range(len(words["P"])):
        weight["P", index] = 1.0
    cumulative: dict[str, list[float]] = {}
    for role, listed in words.items():
        total, running = 0.0, []
        for index in range(len(listed)):
            total += weight[role, index]
            running.append(total)
        cumulative[role] = running
    return Vocabulary(seed, words, cumulative, frames, title_frames)


@dataclass
class Corpus:
    """What was written, for the benchmark script and the tests."""

    root: Path
    insight_ids: list[str] = field(default_factory=list)
    persona_ids: list[str] = field(default_factory=list)
    journey_ids: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    vocabulary: str = "synthetic"


def persona_count(insights: int) -> int:
    return max(3, insights // 500 + 3)


def journey_count(insights: int) -> int:
    return insights // 2000 + 2


def _quota(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    """Exactly proportional values (largest remainder), every value present once n
    is at least the number of values, shuffled."""
    total = sum(weights.values())
    exact = {key: n * weight / total for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    if n >= len(weights):
        for key in counts:
            counts[key] = max(counts[key], 1)
    left = n - sum(counts.values())
    for key in sorted(exact, key=lambda k: exact[k] - int(exact[k]), reverse=True):
        if left <= 0:
            break
        counts[key] += 1
        left -= 1
    while left < 0:  # the minimum of one each overshot: take from the largest
        largest = max(counts, key=lambda k: counts[k])
        counts[largest] -= 1
        left += 1
    values = [key for key, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return min(start, end)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _sentence(rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.4:
        text = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} "
                f"{rng.choice(NOUNS)} {rng.choice(PLACES)}")
    elif choice < 0.7:
        text = (f"when the {rng.choice(NOUNS)} looks {rng.choice(ADJECTIVES)}, "
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(NOUNS)}")
    elif choice < 0.85:
        text = rng.choice(FILLERS)
    else:
        text = (f"the {rng.choice(NOUNS)} and the {rng.choice(NOUNS)} both feel "
                f"{rng.choice(ADJECTIVES)} to {rng.choice(SUBJECTS)} {rng.choice(PLACES)}")
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, words: int, vocab: Vocabulary | None = None) -> str:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = vocab.sentence(rng) if vocab else _sentence(rng)
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    return " ".join(sentences)


def _title(rng: random.Random, vocab: Vocabulary | None = None) -> str:
    if vocab:
        return vocab.title(rng)
    text = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} "
            f"{rng.choice(NOUNS)} {rng.choice(PLACES)}")
    return text[0].upper() + text[1:]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _list(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _mkdocs_yml(teams: tuple[str, ...], tags: tuple[str, ...], insights: int) -> str:
    """The repository's mkdocs.yml, with this corpus's site name and registries. Other
    plugin options (and everything else) are kept as they are."""
    source = REPO / "mkdocs.yml"
    text = source.read_text(encoding="utf-8") if source.is_file() else \
        "site_name: x\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n"
    lines = text.splitlines()
    lines = [f"site_name: Synthetic Insight Portal ({insights} insights)"
             if line.startswith("site_name:") else line for line in lines]
    ours = ["undecided_after_days: 30", "persona_review_after_days: 180",
            f"teams: {_list(list(teams))}", f"tags: {_list(list(tags))}"]
    replaced = ("teams", "tags", "personal_data_allow", "undecided_after_days",
                "persona_review_after_days")
    start = next((index for index, line in enumerate(lines)
                  if re.match(r"\s*-\s+insight-portal\s*:?\s*$", line)), None)
    if start is None:  # no plugin entry: add one at the end of the plugins list
        if not any(line.startswith("plugins:") for line in lines):
            lines.append("plugins:")
            lines.append("  - search")
        position = next(i for i, line in enumerate(lines) if line.startswith("plugins:"))
        end = position + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " #-"):
            end += 1
        block = ["  - insight-portal:"] + ["      " + option for option in ours]
        return "\n".join(lines[:end] + block + lines[end:]) + "\n"
    head = lines[start]
    dash_indent = len(head) - len(head.lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end]) - len(lines[end].lstrip()) > dash_indent):
        end += 1
    body = lines[start + 1:end]
    option_indent = min((len(line) - len(line.lstrip()) for line in body
                         if line.strip() and not line.lstrip().startswith("#")),
                        default=dash_indent + 4)
    kept: list[str] = []
    dropping = False
    for line in body:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#") and indent == option_indent:
            key = stripped.split(":", 1)[0]
            dropping = key in replaced
        elif stripped.startswith("#") and indent == option_indent:
            dropping = False
        if not dropping and stripped and not stripped.startswith("#"):
            kept.append(line)
    block = [head.rstrip().rstrip(":") + ":"] + [" " * option_indent + o for o in ours] + kept
    return "\n".join(lines[:start] + block + lines[end:]) + "\n"


def _persona(rng: random.Random, index: int, vocab: Vocabulary | None = None
             ) -> tuple[str, str, str]:
    segment = ("consumer", "business", "trade")[index % 3]
    name = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(ROLES)}"
    persona_id = f"{_slug(name)}-p{index + 1}"
    reviewed = _day(rng, dt.date(2026, 3, 1), LATEST)
    goals = "\n".join(f"  - {_title(rng, vocab)}" for _ in range(rng.randint(2, 4)))
    frustrations = "\n".join(f"  - {_title(rng, vocab)}" for _ in range(rng.randint(2, 4)))
    text = (f"---\nname: {name} {index + 1}\nsummary: {_paragraph(rng, 20, vocab)}\n"
            f"segment: {segment}\ngoals:\n{goals}\nfrustrations:\n{frustrations}\n"
            f"motivations:\n  - {_title(rng, vocab)}\nquote: \"{_title(rng, vocab)}.\"\n"
            f"owner: research-team\nlast_reviewed: {reviewed}\nstatus: active\n---\n"
            f"## Who they are\n\n{_paragraph(rng, 60, vocab)}\n\n## How we know\n\n"
            f"{_paragraph(rng, 40, vocab)}\n")
    return persona_id, name, text


def _journey(rng: random.Random, index: int, personas: list[str],
             vocab: Vocabulary | None = None) -> tuple[str, list[str], str]:
    journey_id = f"journey-{index + 1}-{_slug(rng.choice(NOUNS))}"
    stage_pool = list(STAGES)
    rng.shuffle(stage_pool)
    chosen = sorted(stage_pool[:STAGES_PER_JOURNEY], key=STAGES.index)
    members = rng.sample(personas, k=min(len(personas), rng.randint(1, 4)))
    lines = [f"---\ntitle: Journey {index + 1}, {rng.choice(NOUNS)}",
             f"summary: {_paragraph(rng, 18, vocab)}", f"personas: {_list(members)}",
             f"owner: {rng.choice(TEAMS)}", "stages:"]
    for stage_id, stage_name in chosen:
        lines += [f"  - id: {stage_id}", f"    name: {stage_name}",
                  f"    owner: {rng.choice(TEAMS)}",
                  f"    description: {_paragraph(rng, 12, vocab)}", "    metrics:"]
        for name, unit, better in rng.sample(METRICS, k=rng.randint(1, 2)):
            value, target = {
                "ratio": (round(rng.uniform(0.3, 0.9), 2), round(rng.uniform(0.5, 0.95), 2)),
                "seconds": (rng.randint(20, 300), rng.randint(30, 200)),
                "percent": (round(rng.uniform(1, 40), 1), round(rng.uniform(1, 20), 1)),
                "score": (round(rng.uniform(2.5, 4.8), 1), 4.2),
                "count": (rng.randint(1, 90), rng.randint(1, 40)),
            }[unit]
            lines += [f"      - name: {name}", f"        value: {value}",
                      f"        target: {target}", f"        unit: {unit}",
                      f"        better: {better}",
                      f"        as_of: {_day(rng, dt.date(2026, 6, 1), dt.date(2026, 11, 1))}"]
    lines += ["---", "## About this map", "", _paragraph(rng, 50, vocab), ""]
    return journey_id, [stage for stage, _ in chosen], "\n".join(lines)


def _statuses(rng: random.Random, n: int) -> list[str]:
    statuses = _quota(rng, STATUSES, n)
    # A superseded insight needs a later one that supersedes it: keep them out of the tail.
    tail = max(1, n // 10)
    head = [i for i in range(n - tail) if statuses[i] != "superseded"]
    for index in range(n - tail, n):
        if statuses[index] == "superseded" and head:
            other = head.pop(rng.randrange(len(head)))
            statuses[index], statuses[other] = statuses[other], statuses[index]
    return statuses


def generate(out_dir: Path | str, insights: int, seed: int = 1,
             vocabulary: str = "synthetic") -> Corpus:
    """Write a portal with `insights` insights under out_dir (created; existing
    entry folders are overwritten file by file, not cleared). `vocabulary`:
    "synthetic" (~150 words, the text earlier benchmark numbers were measured on) or
    "realistic" (~5,000 words with Zipf-like frequencies, realistic_vocabulary)."""
    if vocabulary not in VOCABULARIES:
        raise ValueError(f"vocabulary must be one of {', '.join(VOCABULARIES)}, "
                         f"not {vocabulary!r}")
    vocab = realistic_vocabulary(seed) if vocabulary == "realistic" else None
    rng = random.Random(seed)
    root = Path(out_dir)
    corpus = Corpus(root, vocabulary=vocabulary)
    for folder in ("insights", "personas", "journeys", "docs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(_mkdocs_yml(TEAMS, TAGS, insights), encoding="utf-8")

    persona_names: dict[str, str] = {}
    for index in range(persona_count(insights)):
        persona_id, name, text = _persona(rng, index, vocab)
        persona_names[persona_id] = name
        corpus.persona_ids.append(persona_id)
        (root / "personas" / f"{persona_id}.md").write_text(text, encoding="utf-8")
    journey_stages: dict[str, list[str]] = {}
    for index in range(journey_count(insights)):
        journey_id, stage_ids, text = _journey(rng, index, corpus.persona_ids, vocab)
        journey_stages[journey_id] = stage_ids
        corpus.journey_ids.append(journey_id)
        (root / "journeys" / f"{journey_id}.md").write_text(text, encoding="utf-8")

    kinds = _quota(rng, KINDS, insights)
    statuses = _statuses(rng, insights)
    ids = []
    for index in range(insights):
        ids.append(f"{_slug(rng.choice(ADJECTIVES) + ' ' + rng.choice(NOUNS))}-{index + 1}")
    corpus.insight_ids = ids
    superseded_by: dict[int, list[str]] = {}
    for index, status in enumerate(statuses):
        if status != "superseded":
            continue
        for _ in range(50):
            later = rng.randrange(index + 1, insights)
            if statuses[later] != "superseded":
                break
        else:
            later = next(i for i in range(index + 1, insights) if statuses[i] != "superseded")
        superseded_by.setdefault(later, []).append(ids[index])

    span = (LATEST - EARLIEST).days
    for index in range(insights):
        text, title = _insight(rng, index, ids, kinds[index], statuses[index],
                               superseded_by.get(index, []), corpus.persona_ids,
                               persona_names, journey_stages, span, insights, vocab)
        corpus.titles[ids[index]] = title
        (root / "insights" / f"{ids[index]}.md").write_text(text, encoding="utf-8")
    return corpus


def _insight(rng: random.Random, index: int, ids: list[str], kind: str, status: str,
             supersedes: list[str], personas: list[str], persona_names: dict[str, str],
             journey_stages: dict[str, list[str]], span: int, total: int,
             vocab: Vocabulary | None = None) -> tuple[str, str]:
    journeys = list(journey_stages)
    # The first entries use every persona and journey once, so none is unused.
    if index < len(personas):
        chosen = [personas[index]]
    else:
        chosen = rng.sample(personas, k=rng.choice((1, 1, 2, 2, 3)))
    journey = journeys[index] if index < len(journeys) else (
        rng.choice(journeys) if rng.random() < 0.85 else None)
    if status in ("new", "under-review") and rng.random() < 0.75:
        created = _day(rng, LATEST - dt.timedelta(days=75), LATEST)
    else:
        base = EARLIEST + dt.timedelta(days=span * index // max(total, 1))
        created = min(LATEST, base + dt.timedelta(days=rng.randrange(30)))
    title = (f"{_title(rng, vocab)} ({index + 1})" if rng.random() < 0.05
             else _title(rng, vocab))
    lines = [
        "---",
        f"title: {title}",
        f"summary: {_paragraph(rng, 24, vocab)}",
        f"kind: {kind}",
        f"personas: {_list(chosen)}",
    ]
    if journey:
        stages = journey_stages[journey]
        lines.append(f"journey: {journey}")
        lines.append(f"stages: {_list(rng.sample(stages, k=rng.choice((1, 1, 2))))}")
    confidence = rng.choice(CONFIDENCES)
    lines += [f"severity: {rng.choice(SEVERITIES)}", f"confidence: {confidence}",
              f"tags: {_list(rng.sample(TAGS, k=rng.randint(1, 3)))}", "evidence:"]
    confidence_line, sources = len(lines) - 3, set()
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        source = rng.choice(SOURCES)
        sources.add(source)
        lines.append(f"  - source: {source}")
        lines.append(f"    ref: {REF_PREFIX[source]}-{rng.randint(100, 99999)}")
        lines.append(f"    date: {_day(rng, created - dt.timedelta(days=60), created)}")
        if rng.random() < 0.7:
            lines.append(f"    quote: \"{_title(rng, vocab)}, honestly.\"")
        if rng.random() < 0.8:
            lines.append(f"    count: {rng.randint(1, 400)}")
    if confidence == "high" and len(sources) < 2:  # as a careful researcher would:
        lines[confidence_line] = "confidence: medium"  # high needs corroboration
    lines.append(f"created: {created}")
    lines.append(f"authors: {_list(rng.sample(AUTHORS, k=rng.choice((1, 1, 2))))}")
    lines += ["decision:", f"  status: {status}"]
    if status != "new":
        lines.append(f"  owner: {rng.choice(TEAMS)}")
    decided = _day(rng, created, min(LATEST, created + dt.timedelta(days=120)))
    if status in ("accepted", "in-progress", "done", "declined") or (
            status == "superseded" and rng.random() < 0.5):
        lines.append(f"  date: {decided}")
    if status == "declined":
        lines.append(f"  rationale: {rng.choice(RATIONALES)}")
    if status in ("accepted", "in-progress", "done") and rng.random() < 0.6:
        lines.append(f"  link: https://tracker.example/{rng.choice(('CHK', 'DLV', 'APP'))}-"
                     f"{rng.randint(10, 9999)}")
    if status in ("accepted", "in-progress") and rng.random() < 0.4:
        lines.append(f"  review_by: {decided + dt.timedelta(days=rng.randint(60, 240))}")
    if status == "done":
        lines.append(f"  outcome: {rng.choice(OUTCOMES)}")
    related: list[str] = []
    if index > 0 and rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            other = ids[rng.randrange(max(0, index - 500), index)]
            if other not in related and other not in supersedes:
                related.append(other)
    if related:
        lines.append(f"related: {_list(related)}")
    if supersedes:
        lines.append(f"supersedes: {_list(supersedes)}")
    if rng.random() < 0.03:
        lines.append(f"aliases: [{ids[index]}-old]")
    lines.append("---")

    persona = chosen[0]
    see_also = "".join(f" See also [{other}]({other}.md)." for other in related)
    lines += [
        "## What we saw", "",
        f"Seen with [{persona_names[persona]}](../personas/{persona}.md). "
        f"{_paragraph(rng, 90, vocab)}", "",
        _paragraph(rng, 40, vocab), "",
        "## Why it matters", "",
        _paragraph(rng, 70, vocab) + see_also, "",
        "## What we don't know yet", "",
        _paragraph(rng, 40, vocab), "",
    ]
    return "\n".join(lines), title


# The git history (--git-commits). Committer date is the author date; a commit's
# author is one of a small research team.
TEAM = ("Dana Okafor", "Priya Raman", "Tom Lindqvist", "Amara Mensah", "Lukas Brandt",
        "Mei Chen")
DATED = ("accepted", "in-progress", "done", "declined", "superseded")
EDIT_SHARE = 0.03  # commits that edit bodies only (more when the insights alone are too few)
_ADD, _STATUS, _EDIT = 0, 1, 2  # event kinds, in the order a same-day commit takes them


class HistoryError(ValueError):
    pass


@dataclass
class _Entry:
    """One insight file: its final text cut where versions differ, and its versions."""
    path: str
    prefix: str  # the front matter up to `decision:`
    block: str  # the decision mapping as written
    middle: str  # the rest of the front matter, closing `---` included
    body: str
    final: str  # the whole text, as written
    created: dt.date
    owner: str
    index: int
    path_statuses: list[str] = field(default_factory=list)
    events: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, kind)
    drafts: list[str] | None = None  # body versions, most drafted first (lazily)
    versions: list[tuple[str, dt.date, int, bool]] = field(default_factory=list)


_DECISION_BLOCK = re.compile(r"^decision:\n(?:[ \t]+.*\n|\n)*", re.MULTILINE)


def _read_entry(root: Path, path: Path, index: int) -> _Entry:
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 3) + 5
    front, body = text[:end], text[end:]
    block = _DECISION_BLOCK.search(front)
    created = re.search(r"^created: (\S+)$", front, re.MULTILINE)
    if block is None or created is None:
        raise HistoryError(f"{path}: no decision or created date to make a history from")
    if re.search(r"^  history:", block.group(), re.MULTILINE):
        raise HistoryError(f"{path}: carries decision.history; the history must come from git")
    owner = re.search(r"^  owner: (\S+)$", block.group(), re.MULTILINE)
    return _Entry(path.relative_to(root).as_posix(), front[:block.start()], block.group(),
                  front[block.end():], body, text,
                  dt.date.fromisoformat(created.group(1)),
                  owner.group(1) if owner else TEAMS[index % len(TEAMS)], index)


def _status_path(rng: random.Random, final: str) -> list[str]:
    """The statuses an insight passed through, ending with its final one."""
    chance = rng.random()
    if final == "new":
        return ["new"]
    if final == "under-review":
        path = ["new", "under-review"] if chance < 0.85 else ["under-review"]
    elif final == "accepted":
        path = ["new", "under-review", "accepted"] if chance < 0.8 else ["new", "accepted"]
    elif final == "in-progress":
        path = (["new", "under-review", "accepted", "in-progress"] if chance < 0.7
                else ["new", "under-review", "in-progress"])
    elif final == "done":
        path = (["new", "under-review", "accepted", "in-progress", "done"] if chance < 0.6
                else ["new", "under-review", "accepted", "done"] if chance < 0.85
                else ["new", "accepted", "in-progress", "done"])
    elif final == "declined":
        path = ["new", "under-review", "declined"] if chance < 0.85 else ["new", "declined"]
    else:  # superseded
        path = (["new", "under-review", "superseded"] if chance < 0.6
                else ["new", "superseded"] if chance < 0.8
                else ["new", "under-review", "accepted", "superseded"])
    reopen = rng.random()
    if final in ("under-review", "accepted", "in-progress", "done") and reopen < 0.1:
        # declined once, then reopened: back to review, and on from there
        rest = path[path.index("under-review") + 1:] if "under-review" in path else path[1:]
        path = ["new", "under-review", "declined", "under-review", *rest]
    elif final == "done" and reopen < 0.16 and path[-2] == "in-progress":
        path = [*path[:-1], "done", "in-progress", "done"]  # done, reopened, done again
    return path


def _drafts(body: str, most: int) -> list[str]:
    """Earlier versions of a body, each one step shorter (its last sentence, or a
    paragraph with its heading, not yet written), nearest first; the first heading
    and paragraph always stay."""
    blocks = body.rstrip("\n").split("\n\n")
    drafts: list[str] = []
    while len(drafts) < most:
        last = blocks[-1]
        if not last.startswith("#") and ". " in last:
            blocks[-1] = last[:last.rindex(". ") + 1]
        else:
            if len(blocks) <= 2:
                break
            blocks.pop()
            if blocks[-1].startswith("#") and len(blocks) > 2:
                blocks.pop()
        drafts.append("\n\n".join(blocks) + "\n")
    return drafts


def _decision_block(entry: _Entry, status: str, day: dt.date) -> str:
    lines = ["decision:", f"  status: {status}"]
    if status != "new":
        lines.append(f"  owner: {entry.owner}")
    if status in DATED:
        lines.append(f"  date: {day}")
    if status == "declined":
        lines.append(f"  rationale: {RATIONALES[entry.index % len(RATIONALES)]}")
    if status == "done":
        lines.append(f"  outcome: {OUTCOMES[entry.index % len(OUTCOMES)]}")
    return "\n".join(lines) + "\n"


def _plan(rng: random.Random, entry: _Entry) -> None:
    """The insight's status path and the dates of its changes."""
    final = re.search(r"^  status: (\S+)$", entry.block, re.MULTILINE)
    path = entry.path_statuses = _status_path(rng, final.group(1) if final else "new")
    decided = re.search(r"^  date: (\S+)$", entry.block, re.MULTILINE)
    created = entry.created
    if decided:
        last = max(created, dt.date.fromisoformat(decided.group(1)))
    elif path[-1] == "under-review":
        last = _day(rng, created, min(LATEST, created + dt.timedelta(days=45)))
    else:
        last = _day(rng, created, LATEST)
    between = sorted(_day(rng, created, last) for _ in range(len(path) - 2))
    entry.events = [(created, _ADD)] + [(day, _STATUS) for day in [*between, last][
        :len(path) - 1]]


def _versions(entry: _Entry, edits: int) -> None:
    """The file's texts over time, as (status, its date, draft level, final status?)."""
    entry.events.sort()
    level = edits
    step = 0
    status_day = entry.created
    for day, kind in entry.events:
        if kind == _STATUS:
            step += 1
            status_day = day
        elif kind == _EDIT:
            level -= 1
        entry.versions.append((entry.path_statuses[step], status_day, level,
                               step == len(entry.path_statuses) - 1))


def _text(entry: _Entry, version: int) -> str:
    status, day, level, final_status = entry.versions[version]
    if final_status and level == 0:
        return entry.final
    block = entry.block if final_status else _decision_block(entry, status, day)
    body = entry.body if level == 0 else entry.drafts[level - 1]
    return entry.prefix + block + entry.middle + body


def _chunks(events: list[tuple[dt.date, int, int]], count: int
            ) -> list[list[tuple[dt.date, int, int]]]:
    """Events in date order cut into `count` runs of (nearly) equal length."""
    events.sort()
    return [events[len(events) * k // count:len(events) * (k + 1) // count]
            for k in range(count)]


def _git_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def _run_git(root: Path, *args: str, data: bytes | None = None) -> str:
    completed = subprocess.run(["git", "-C", str(root), *args], input=data,
                               capture_output=True, env=_git_env(), check=False)
    if completed.returncode:
        raise HistoryError(f"git {args[0]} failed in {root}: "
                           f"{completed.stderr.decode(errors='replace').strip()}")
    return completed.stdout.decode("utf-8", "replace")


def _summary(ids: list[str], what: str) -> str:
    shown = ", ".join(ids[:3])
    return f"{what} {shown}" + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def add_git_history(root: Path | str, commits: int, seed: int = 1) -> int:
    """Make the corpus at `root` a git repository with `commits` commits over its
    insights, the last one's tree being the files as they are; returns the number
    of commits. Built with one `git fast-import` stream, then `git reset --hard`
    in `root` (its own, new repository) so the index matches."""
    root = Path(root)
    if commits < 1:
        raise HistoryError("--git-commits must be at least 1")
    if (root / ".git").exists():
        raise HistoryError(f"{root} is already a git repository; write the corpus afresh")
    rng = random.Random(f"git-history-{seed}")
    files = sorted(path for path in root.rglob("*") if path.is_file() and not any(
        part.startswith(".") for part in path.relative_to(root).parts))  # .portal-cache/
    insight_paths = [path for path in files
                     if path.relative_to(root).parts[0] == "insights" and path.suffix == ".md"]
    others = sorted(set(files) - set(insight_paths))
    entries = [_read_entry(root, path, index) for index, path in enumerate(insight_paths)]
    if not entries:
        raise HistoryError(f"{root} has no insights to make a history of")
    for entry in entries:
        _plan(rng, entry)
    status_events = sum(len(entry.path_statuses) - 1 for entry in entries)

    # Body edits: a few; more when the commits outnumber the other changes.
    edits = min(round(commits * EDIT_SHARE), max(0, commits - 2))
    edits = max(edits, commits - len(entries) - status_events)
    per_entry = [0] * len(entries)
    order = list(range(len(entries)))
    rng.shuffle(order)
    placed, position, idle = 0, 0, 0
    while placed < edits:
        entry = entries[order[position % len(order)]]
        position += 1
        if entry.drafts is None:
            entry.drafts = _drafts(entry.body, 12)
        if per_entry[entry.index] < len(entry.drafts):
            per_entry[entry.index] += 1
            entry.events.append((_day(rng, entry.created, LATEST), _EDIT))
            placed, idle = placed + 1, 0
        else:
            idle += 1
            if idle > len(entries):
                most = len(entries) + status_events + placed
                raise HistoryError(f"{commits} commits are too many for {len(entries)} "
                                   f"insights (at most about {most})")
    for entry in entries:
        _versions(entry, per_entry[entry.index])

    # Commits: each kind of change in date order, cut into runs; edits one by one.
    by_kind: dict[int, list[tuple[dt.date, int, int]]] = {_ADD: [], _STATUS: [], _EDIT: []}
    for entry in entries:
        for day, kind in entry.events:
            by_kind[kind].append((day, entry.index, kind))
    rest = commits - edits
    if rest < 2 or not by_kind[_STATUS]:
        by_kind[_ADD] += by_kind.pop(_STATUS)
        counts = {_ADD: rest}
    else:
        adds, changes = len(by_kind[_ADD]), len(by_kind[_STATUS])
        status_commits = min(changes, max(1, round(rest * changes / (adds + changes))))
        status_commits = max(min(status_commits, rest - 1), rest - adds)
        counts = {_ADD: rest - status_commits, _STATUS: status_commits}
    counts[_EDIT] = edits
    planned: list[tuple[dt.date, int, int, list[int]]] = []
    for kind, count in counts.items():
        for number, chunk in enumerate(_chunks(by_kind[kind], count) if count else []):
            planned.append((max(day for day, _, _ in chunk), kind, number,
                            [index for _, index, _ in chunk]))
    planned.sort(key=lambda item: item[:3])
    per_day: dict[dt.date, int] = {}
    for day, *_ in planned:
        per_day[day] = per_day.get(day, 0) + 1

    stream: list[bytes] = []
    written = [0] * len(entries)  # versions of each insight consumed so far
    shown: list[tuple[str, int] | None] = [None] * len(entries)  # (status, level) in git
    seen_today: dict[dt.date, int] = {}
    for number, (day, _, _, indexes) in enumerate(planned, start=1):
        nth = seen_today[day] = seen_today.get(day, -1) + 1
        seconds = 9 * 3600 + (nth * 2 + 1) * 9 * 3600 // (per_day[day] * 2)
        when = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
                   .timestamp()) + seconds
        author = rng.choice(TEAM)
        touched: dict[int, int] = {}
        for index in indexes:
            touched[index] = touched.get(index, 0) + 1
        added, moved, edited, changes = [], [], [], []
        for index, count in touched.items():
            entry = entries[index]
            written[index] += count
            version = entry.versions[written[index] - 1]
            status, level = version[0], version[2]
            ident = Path(entry.path).stem
            if shown[index] is None:
                added.append(ident)
            elif shown[index][0] != status:
                moved.append(f"{ident} -> {status}")
            else:
                edited.append(ident)
            shown[index] = (status, level)
            data = _text(entry, written[index] - 1).encode("utf-8")
            changes.append(b"M 100644 inline %s\ndata %d\n%s\n"
                           % (entry.path.encode("utf-8"), len(data), data))
        parts = []
        if added:
            parts.append(_summary(added, f"Add {len(added)} insight"
                                  + ("s:" if len(added) > 1 else ":")))
        if moved:
            parts.append(_summary(moved, "Decisions:" if len(moved) > 1 else "Decision:"))
        if edited:
            parts.append(_summary(edited, "Edit"))
        if number == 1:
            parts.insert(0, "Set up the portal (mkdocs.yml, personas, journeys)")
            for path in others:
                data = path.read_bytes()
                changes.append(b"M 100644 inline %s\ndata %d\n%s\n"
                               % (path.relative_to(root).as_posix().encode("utf-8"),
                                  len(data), data))
        message = "; ".join(parts).encode("utf-8")
        signature = f"{author} <> {when} +0000".encode()
        stream.append(b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\n"
                      b"data %d\n%s\n" % (number, signature, signature, len(message), message))
        if number > 1:
            stream.append(b"from :%d\n" % (number - 1))
        stream.extend(changes)
    stream.append(b"done\n")
    if written != [len(entry.versions) for entry in entries]:
        raise HistoryError("internal: some insight did not reach its final version")

    _run_git(root, "init", "-q", "-b", "main")
    (root / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text(".portal-cache/\nsite/\n",
                                                    encoding="utf-8")
    _run_git(root, "fast-import", "--quiet", "--done", data=b"".join(stream))
    _run_git(root, "reset", "-q", "--hard", "HEAD")
    left = _run_git(root, "status", "--porcelain", "--untracked-files=all")
    if left.strip():  # the last commit must be the corpus as written
        raise HistoryError(f"the work tree differs from the last commit:\n{left[:500]}")
    return len(planned)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--insights", type=int, required=True, help="how many insights")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git-commits", type=int, default=0, metavar="N",
                        help="also make OUT_DIR a git repository with N commits over the "
                             "insights (default: 0, no repository)")
    parser.add_argument("--vocabulary", choices=VOCABULARIES, default="synthetic",
                        help="the words of the text: synthetic (~150 words, default) or "
                             "realistic (~5,000, Zipf-like frequencies)")
    args = parser.parse_args(argv)
    if args.insights < 1:
        parser.error("--insights must be at least 1")
    if args.git_commits < 0:
        parser.error("--git-commits must be 0 or more")
    if args.git_commits and (args.out_dir / ".git").exists():
        parser.error(f"{args.out_dir} is already a git repository; write the corpus afresh")
    start = time.perf_counter()
    corpus = generate(args.out_dir, args.insights, args.seed, args.vocabulary)
    print(f"Wrote {len(corpus.insight_ids)} insights, {len(corpus.persona_ids)} personas, "
          f"{len(corpus.journey_ids)} journeys ({args.vocabulary} vocabulary) to "
          f"{args.out_dir} in "
          f"{time.perf_counter() - start:.1f} s; check with "
          f"`portal check {args.out_dir} --today {TODAY}`")
    if args.git_commits:
        start = time.perf_counter()
        try:
            count = add_git_history(args.out_dir, args.git_commits, args.seed)
        except HistoryError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"Made {args.out_dir} a git repository of {count} commits in "
              f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
