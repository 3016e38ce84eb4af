"""The guided scam check: one yes/no question per screen, then the risk and why.

The questions are the red flags in content/redflags/flags.yaml that have a `question`;
their order there is the order asked. Answers are kept in the user's session (for the
moderators' context if the user then asks for a person), never the job ad itself.
"""

from __future__ import annotations

from ..i18n import N_, Translator
from ..store import State
from .model import Bundle, Button, Reply
from .render import BACK, MAIN, split_long

QUIZ_PREFIX = "q:"
ANSWERS = {"y": N_("Yes"), "n": N_("No"), "u": N_("I don't know")}
T_PROGRESS = N_("Question {n} of {total}")
T_RESULT = N_("Result: the risk is {risk}.")
T_RAISED = N_("These answers are warning signs:")
T_UNKNOWN = N_("You did not know these. Find out before you go:")
T_NONE = N_("Your answers show no warning signs. Still: check the agency's licence with the official body, get a written contract in your language, and keep your passport yourself.")
# LOW, but a sign was raised or not known: never "no warning signs" under a list of them.
T_LOW_SOME = N_("The risk is low, but check each point above before you go. Also check the agency's licence with the official body, get a written contract in your language, and keep your passport yourself.")
T_NEXT_HIGH = N_("Do not go and do not pay anything yet. Many people were trapped this way. Talk to a person from our team, and check the agency with the official body for your country.")
T_NEXT_MEDIUM = N_("Be careful. Check the agency's licence with the official body, ask for a written contract in your language, and never give your passport to anyone.")
RISK = {"high": N_("HIGH"), "medium": N_("MEDIUM"), "low": N_("LOW")}
T_TALK = N_("Talk to a person")
T_AGAIN = N_("Start the questions again")
UNKNOWN_WEIGHT = 0.5  # "I don't know" about a red flag is itself worth finding out


class Quiz:
    def __init__(self, bundle: Bundle):
        redflags = bundle.extra["redflags"]
        self.flags = [f for f in redflags.flags.values() if f.question]
        self.thresholds = redflags.thresholds

    def start(self, state: State, t: Translator) -> list[Reply]:
        state.data["quiz"] = {}
        state.data.pop("quiz_result", None)
        if not self.flags:
            return []
        state.pending = QUIZ_PREFIX + self.flags[0].id
        return self.render(state, t)

    def render(self, state: State, t: Translator) -> list[Reply]:
        flag_id = (state.pending or "").removeprefix(QUIZ_PREFIX)
        index = next(i for i, f in enumerate(self.flags) if f.id == flag_id)
        flag = self.flags[index]
        text = f"{t(T_PROGRESS).format(n=index + 1, total=len(self.flags))}\n\n{t(flag.question)}"
        rows = [[Button(t(label), f"{QUIZ_PREFIX}{flag.id}:{key}") for key, label in ANSWERS.items() if key != "u"],
                [Button(t(ANSWERS["u"]), f"{QUIZ_PREFIX}{flag.id}:u")],
                [Button(t(BACK), "g:scam"), Button(t(MAIN), "g:main")]]
        return [Reply(text=text, buttons=rows, screen=state.screen)]

    def answer(self, state: State, rest: str, t: Translator) -> list[Reply] | None:
        flag_id, _, value = rest.partition(":")
        if value not in ANSWERS or state.pending != QUIZ_PREFIX + flag_id:
            return None  # stale or forged: the caller shows "expired"
        state.data.setdefault("quiz", {})[flag_id] = value
        ids = [f.id for f in self.flags]
        position = ids.index(flag_id)
        if position + 1 < len(ids):
            state.pending = QUIZ_PREFIX + ids[position + 1]
            return self.render(state, t)
        state.pending = None
        return self.result(state, t)

    def result(self, state: State, t: Translator) -> list[Reply]:
        answers: dict[str, str] = state.data.get("quiz", {})
        score = sum(f.weight * (1 if answers.get(f.id) == "y" else UNKNOWN_WEIGHT if answers.get(f.id) == "u" else 0)
                    for f in self.flags)
        risk = "high" if score >= self.thresholds["high"] else "medium" if score >= self.thresholds["medium"] else "low"
        raised = [f for f in self.flags if answers.get(f.id) == "y"]
        unknown = [f for f in self.flags if answers.get(f.id) == "u"]
        state.data["quiz_result"] = {"risk": risk, "score": score, "yes": [f.id for f in raised],
                                     "unknown": [f.id for f in unknown]}
        parts = [t(T_RESULT).format(risk=t(RISK[risk]))]
        if raised:
            parts.append(t(T_RAISED) + "\n" + "\n".join(f"• {t(f.why)}" for f in raised))
        if unknown:
            parts.append(t(T_UNKNOWN) + "\n" + "\n".join(f"• {t(f.question)}" for f in unknown))
        low = T_LOW_SOME if raised or unknown else T_NONE
        parts.append(t({"high": T_NEXT_HIGH, "medium": T_NEXT_MEDIUM}.get(risk, low)))
        rows = [[Button(t(T_AGAIN), "a:quiz")], [Button(t(BACK), "g:scam"), Button(t(MAIN), "g:main")]]
        if risk == "high":
            rows.insert(0, [Button(t(T_TALK), "g:human")])  # via the screen that says what is shared
        return split_long(parts, rows, state.screen)
