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
# 1200, not 900: a number whose source is old carries a dated caveat (about 90 characters),
# and the home country's line for citizens abroad must still fit after the local one.
EMERGENCY_REPLY_CHARS = 1200
# How many likely places it gives numbers for, and how many countries it offers as buttons.
EMERGENCY_PLACES_SHOWN = 2
EMERGENCY_COUNTRY_BUTTONS = 4
