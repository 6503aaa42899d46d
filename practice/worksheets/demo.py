"""Worksheets for the demo practice in several states: the review page and the portal with real content."""

from datetime import date, datetime, time, timedelta

from practice.clock import utcnow
from practice.worksheets import definitions, services
from practice.worksheets.models import Visibility

#: Maya's and Jordan's own parts of the repair worksheet, in their words.
REPAIR = (
    {"ready": {"calm": 7, "go": "yes"},
     "moment": {"when": -5, "camera": "Sunday evening. I said 'you always leave the dishes for me' and "
                                      "walked out of the kitchen. Jordan stayed at the table, quiet."},
     "own": {"my_part": "I said 'always' and left before Jordan could answer.", "under": "overwhelmed"},
     "impact": {"effect": "You probably felt blamed for more than one evening.", "checked": "partly"},
     "validate": {"makes_sense": "It makes sense you went quiet: I had raised my voice."},
     "do_over": {"next_time": "Say 'I'm running on empty, can we split tonight?' before I get sharp.",
                 "cue": "My shoulders go up when I walk into a messy kitchen."},
     "after": {"connected": 7}},
    {"ready": {"calm": 6, "go": "yes"},
     "moment": {"when": -5, "camera": "Sunday after dinner. Maya said I always leave the dishes, then left "
                                      "the room. I stayed sitting and scrolled on my phone."},
     "own": {"my_part": "I went to my phone instead of saying I'd do them.", "under": "embarrassed"},
     "impact": {"effect": "You were left feeling alone with the chores again.", "checked": "accurate"},
     "validate": {"makes_sense": "You had cooked, and you were tired. Of course it stung."},
     "do_over": {"next_time": "Stand up and start the dishes with you, even if I feel criticised.",
                 "cue": "Reaching for my phone when things get tense."},
     "after": {"connected": 8}},
)
FOLLOW = {"step": "Dishes together right after dinner, phones in the other room.", "owner": "both",
          "check_date": 2}
#: Maya's reassurance log: (hours ago, trigger, the story, worry before, after, relief).
LOG = ((70, "slow_reply", "Jordan is annoyed with me.", 7, 3, "a_few_hours"),
       (46, "tone_change", "Something is wrong between us.", 8, 4, "under_an_hour"),
       (20, "slow_reply", "I'm too much for them.", 6, 2, "rest_of_day"))


def seed_worksheets(couple, counselor, today: date) -> None:
    """Give a joined couple a repair worksheet both have answered, a boundaries draft and a log."""
    first, second = couple.partners
    repair = definitions.get("repair_after_conflict")
    entry = services.assign(couple.id, repair, {"due_on": today + timedelta(days=2),
                                                "note": "Do your own parts on your own first."}).entries[0]
    for partner, parts, sharing in ((first, REPAIR[0], Visibility.couple), (second, REPAIR[1],
                                                                             Visibility.when_both)):
        services.answer_safety(entry, couple.id, partner.id, False)
        for key, answers in parts.items():
            section = repair.section(key)
            services.save_section(entry, couple.id, section, partner.id, _dated(answers, today), 0)
        services.submit(entry, couple.id, repair, partner.id, {key: sharing for key in parts})
    services.save_section(entry, couple.id, repair.section("follow"), second.id, _dated(FOLLOW, today), 0)
    services.comment(entry, couple.id, counselor, None, "Thank you both. Let's start Thursday's session "
                                                        "with the follow-through plan.")
    services.mark_reviewed(entry, couple.id, counselor)

    boundaries = definitions.get("boundaries")
    draft = services.assign(couple.id, boundaries, {"due_on": today + timedelta(days=6)}).entries[0]
    services.answer_safety(draft, couple.id, second.id, False)
    services.save_section(draft, couple.id, boundaries.section("limit"), second.id,
                          {"what": "Half an hour to myself after work before we talk about the day.",
                           "kind": "time"}, 0)

    log = services.assign(couple.id, definitions.get("reassurance_log"), {"note": "Soothe first, then ask."})
    for hours, trigger, story, before, after, relief in LOG:
        entry = services.start_entry(log, first.id)
        entry.started_at = utcnow() - timedelta(hours=hours)
        at = (datetime.combine(today, time(21, 0)) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        worksheet = services.definition_of(log)
        parts = {"event": {"at": at, "trigger": trigger, "fear": story, "before": before},
                 "soothe": {"tried": ["slow_breathing", "waited"], "helped": 5},
                 "ask": {"asked": "yes", "request": "A quick 'we're OK' text.", "channel": "message"},
                 "after": {"after": after, "relief": relief}}
        for key, answers in parts.items():
            services.save_section(entry, couple.id, worksheet.section(key), first.id, answers, 0)
        services.submit(entry, couple.id, worksheet, first.id, {})


def _dated(answers: dict, today: date) -> dict:
    """Answers with whole numbers standing for dates counted from today (-5: five days ago)."""
    dated = dict(answers)
    for key in ("when", "check_date"):
        if isinstance(dated.get(key), int):
            dated[key] = (today + timedelta(days=dated[key])).isoformat()
    return dated


def seed_feeling_words(couple, counselor, today: date) -> None:
    """A second joined couple: a monthly retro waiting to be started, and one feeling-words entry shared."""
    services.assign(couple.id, definitions.get("monthly_retro"), {"note": "Do this one on a quiet evening."})
    practice = definitions.get("feeling_words_practice")
    log = services.assign(couple.id, practice, {"note": "Two or three times this week."})
    second = couple.partners[1]
    entry = services.start_entry(log, second.id)
    parts = {"build": {"situation": "plans change at the last minute", "feel": "anxious",
                       "need": "predictability", "ask": "text me by five if dinner moves"},
             "use": {"delivered": "said", "answer": "yes", "went": 8}}
    for key, answers in parts.items():
        services.save_section(entry, couple.id, practice.section(key), second.id, answers, 0)
    services.submit(entry, couple.id, practice, second.id, dict.fromkeys(parts, Visibility.couple))
