"""Named limits, so no magic numbers hide in the code.

Telegram's own limits are quoted from python-telegram-bot's constants where they exist;
the others are this project's choices for readers on small phones.
The core never imports telegram; tests check these equal
telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA and MessageLimit.MAX_TEXT_LENGTH.
"""

# Telegram: "Data to be sent in a callback query to the bot when the button is pressed, 1-64 bytes".
CALLBACK_DATA_BYTES = 64
# Telegram: "Text of the message to be sent, 1-4096 characters after entities parsing".
# Relays (channels.outbox) count it in UTF-16 units, their "#N · user:" prefix included,
# and send a longer text in several messages.
MESSAGE_TEXT_CHARS = 4096

# Our targets for a phone screen (content check warns/fails past them). A rendered screen
# (its text and the facts under it) shows at most this much before its buttons; the rest
# waits behind a "More" button, in every locale.
SCREEN_TEXT_TARGET = 1000
BUTTON_LABEL_CHARS = 30
BUTTONS_PER_SCREEN = 9  # the main menu: eight topics and safety check-ins
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

# Telegram: "A message can only be deleted if it was sent less than 48 hours ago"
# (deleteMessage). A little margin, so a deletion is not tried just as the window closes.
DELETE_WINDOW_SECONDS = 48 * 3600 - 10 * 60

# Retention (README "Privacy"): closed cases after RETENTION_DAYS (Settings), open cases
# with no activity after OPEN_CASE_IDLE_DAYS (moderators warned EXPIRY_WARNING_DAYS before),
# users and sessions after USER_IDLE_DAYS without use.
OPEN_CASE_IDLE_DAYS = 90
EXPIRY_WARNING_DAYS = 7
USER_IDLE_DAYS = 365
RETENTION_EVERY_SECONDS = 24 * 3600

# Distress check (bot/safety/distress.py): what a " .. " in a term may skip, how far back a
# negation counts, which typos are mended, and how much evidence moderators see.
DISTRESS_GAP_WORDS = 4  # "took .. passport" matches "took all of our passports"
DISTRESS_GAP_CHARS = 12  # the same in scripts without spaces (compact text)
DISTRESS_NEGATION_WORDS = 1  # "did not take my passport", but not "if not, I am sold again"
DISTRESS_TYPO_MIN_CHARS = 5  # shorter words are not mended (too many look-alikes)
DISTRESS_TYPO_MIN_SIMILARITY = 88  # rapidfuzz ratio: "pasport" → "passport", not "zhaopin" → "zhapian"
DISTRESS_EVIDENCE_CHARS = 200

# SQLite: how long one statement waits for another process's write lock. Short, because
# the store is used from the event loop; the inbox and outbox retry later instead.
SQLITE_BUSY_MS = 200

# Durable inbox (bot/channels/inbox.py).
# A handled update's bare id is kept this long so a resend by Telegram is recognised
# (Telegram keeps undelivered updates for 24 hours).
INBOX_TOMBSTONE_SECONDS = 24 * 3600
# A store that is locked by another process: first retry after this, doubling up to the max.
STORE_RETRY_SECONDS = 0.2
STORE_RETRY_MAX_SECONDS = 5.0
# On SIGTERM: how long handlers may finish what was taken in; the rest waits in the inbox.
INBOX_DRAIN_SECONDS = 20.0

# The public webhook server (bot/channels/netguard.py, bot/channels/web.py).
# Open connections at most (fewer when the descriptor limit is low). At the cap a new
# connection pushes out the longest-idle one; only when all are busy is it refused (503).
MAX_CONNECTIONS = 512
# Descriptors kept for the database, the Bot API client and logs besides connections.
RESERVED_DESCRIPTORS = 128
# A connection with no request in progress is closed after this (slow headers, idle keep-alive).
CONNECTION_IDLE_SECONDS = 10.0
# aiohttp's keep-alive between two requests on one connection.
KEEPALIVE_SECONDS = 5.0
# Reading a request body (Telegram's updates are small and sent at once).
BODY_READ_SECONDS = 10.0
# The descriptor limit we ask for at start (up to the hard limit).
WANTED_DESCRIPTORS = 65536
# Logging: the same warning or error at most this many times a minute; the rest is counted.
LOG_REPEATS_PER_MINUTE = 10

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

# Telegram's bot profile (setMyDescription, setMyShortDescription, setMyCommands), in
# UTF-16 units; `safebot content check` holds every locale to the targets, well under the
# limits, so a reviewer's edit does not make Telegram refuse the whole profile.
DESCRIPTION_CHARS = 512
DESCRIPTION_TARGET = 460
SHORT_DESCRIPTION_CHARS = 120
SHORT_DESCRIPTION_TARGET = 110
COMMAND_DESCRIPTION_CHARS = 256
COMMAND_DESCRIPTION_TARGET = 64

# Updates the inbox hands to their handler as already-parsed objects (beyond it, or after a
# restart, they are parsed again from the stored JSON): bounds the memory while the bot lags.
INBOX_PARSED_UPDATES = 1000
# Recent chats whose keyed hashes (user id, log reference) are kept in memory.
HASHED_CHATS_CACHED = 4096

# Concurrent updates from different chats (each holds a slot while it waits on Telegram).
# 16 was best while httpx took most of the CPU. On aiohttp, bench/bench_stack.py at 50 ms
# round trips gave 16: 179, 40: 392 updates/s (more is faster still: 96 gave ~630). The
# bound is also the at-least-once window: after a kill -9, at most this many updates are
# handled twice; 40 is Telegram's default webhook max_connections, the bound the crash
# tests hold us to (tests/test_webhook_processes.py).
# Both modes (polling and webhook) use it.
CONCURRENT_UPDATES = 40
