"""The course's names, kept at `jazz_lstm.course` where the course imports them: this module
*is* `jazz_lstm.app.course` (the same module object, so every name and patch is shared)."""
import sys

from jazz_lstm.app import course

sys.modules[__name__] = course
