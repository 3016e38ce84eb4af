"""Named limits, so no magic numbers hide in the code.

Telegram's own limits are quoted from python-telegram-bot's constants where they exist;
the others are this project's choices for readers on small phones.
The core never imports telegram; tests check these equal
telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA and MessageLimit.MAX_TEXT_LENGTH.
"""

# Telegram: "Data to be sent in a callback query to the bot when the button is pressed, 1-64 bytes".
CALLBACK_DATA_BYTES = 64
# Telegram: "Text of the message to be sent, 1-4096 characters after entities parsing".
MESSAGE_TEXT_CHARS = 4096

# Our targets for a phone screen (content check warns/fails past them). A rendered screen
# (its text and the facts under it) shows at most this much before its buttons; the rest
# waits behind a "More" button, in every locale.
SCREEN_TEXT_TARGET = 1000
BUTTON_LABEL_CHARS = 30
BUTTONS_PER_SCREEN = 8
SCREEN_ID_CHARS = 40

# How many screens of a user's path we keep (for the moderators' context handoff).
HISTORY_LENGTH = 10
# Longest user message we look at; longer ones are cut (and the user told so).
USER_TEXT_CHARS = 4096

# Facts: warn when a source was last checked over a year ago, or dates from over 3 years ago.
CHECKED_MAX_AGE_DAYS = 365
AS_OF_MAX_AGE_DAYS = 3 * 365

# The first answer to a cry for help fits one phone screen: the case, what to do, the numbers.
EMERGENCY_REPLY_CHARS = 900
# How many likely places it gives numbers for, and how many countries it offers as buttons.
EMERGENCY_PLACES_SHOWN = 2
EMERGENCY_COUNTRY_BUTTONS = 4

# Safety check-ins (bot/checkins.py). SAFEBOT_CHECKIN_SECONDS replaces the intervals, the
# grace period and the pause with one number of seconds (tests and demonstrations).
CHECKIN_INTERVAL_SECONDS = {"day": 24 * 3600, "3days": 3 * 24 * 3600, "week": 7 * 24 * 3600}
# How long a check-in may stay unanswered before the trusted people are told.
CHECKIN_GRACE_SECONDS = 6 * 3600
# "No phone for 3 days".
CHECKIN_PAUSE_SECONDS = 3 * 24 * 3600
# An invitation works once, for this long.
CHECKIN_INVITE_SECONDS = 48 * 3600
CHECKIN_CODE_CHARS = 10
CHECKIN_TRUSTED_MAX = 3
# Missed check-ins in a row that open a case for the moderators.
CHECKIN_MISSED_FOR_CASE = 2
# Display names and button words the people choose.
CHECKIN_NAME_CHARS = 30
# How often the channels look for due check-ins (shorter when SAFEBOT_CHECKIN_SECONDS is set).
CHECKIN_TICK_SECONDS = 30.0
