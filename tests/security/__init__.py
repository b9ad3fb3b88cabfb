"""The security suite: every attack of the README's "Security model", replayed against the real app on
a real port (werkzeug's threaded server, or gunicorn with two workers where the attack needs
several processes), with Slack, OpenTok and Vonage faked at the HTTP boundary on 127.0.0.1.

Each test module replays one family of attacks and shows that it now fails; the numbers the
issue measured (guesses per second, dials in 10 s, rows per forged event...) are asserted as
bounds and printed in pytest's terminal summary under "security suite measurements".
"""
