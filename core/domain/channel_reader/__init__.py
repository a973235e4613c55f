"""The channel reader's rules: whose messages are read, in which voice, to whom, and what of a
typed message is said aloud.

reader_rules.py       the channel reader: whose messages, which voice, names, the queue, how often
                      a clip is made again
reading_audience_rules.py  the channel reader: who hears a reading, and what may be said to them
spoken_text_rules.py  what of a typed message is said aloud
"""
