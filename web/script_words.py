"""Every sentence the join page's scripts show, by the key the scripts use (`t("joining")` in
web/static/page_words.js); the page is sent them in its language, so no script holds English."""

from __future__ import annotations

from meetbridge.words import N_

SCRIPT_WORDS: dict[str, str] = {
    # joining and the call's state (room.js)
    "join_meeting": N_("Join meeting"),
    "joining": N_("Joining…"),
    "not_joined": N_("Not joined"),
    "connecting": N_("Connecting…"),
    "live": N_("Live"),
    "ended": N_("Ended"),
    "you": N_("{name} (you)"),
    "guest": N_("Guest"),
    "library_missing": N_("The video library couldn't be loaded. Check your connection or content blocker, "
                          "then reload the page."),
    "join_failed": N_("Couldn't join the meeting (error {status})."),
    "unreachable": N_("Couldn't reach the meeting server. Check your internet connection and try again."),
    "unreachable_short": N_("Couldn't reach the meeting server. Try again."),
    "removed": N_("You were removed from the meeting."),
    "disconnected": N_("You were disconnected from the meeting. Check your connection, then rejoin."),
    # own camera and microphone
    "mute": N_("Mute"),
    "unmute": N_("Unmute"),
    "stop_camera": N_("Stop camera"),
    "start_camera": N_("Start camera"),
    # the phone bridge and phone callers
    "bridge_off": N_("Off"),
    "bridge_connecting": N_("Connecting…"),
    "bridge_connected": N_("Connected"),
    "bridge_failed": N_("Failed"),
    "bridge_last_failed": N_("Last attempt failed: {reason}."),
    "bridge_request_failed": N_("The phone bridge request failed (error {status})."),
    "bridge_calling": N_("Calling the phone bridge…"),
    "bridge_now_connecting": N_("The phone bridge is connecting."),
    "bridge_hanging_up": N_("Hanging up the phone bridge…"),
    "bridge_hung_up": N_("Phone bridge hung up."),
    "nobody_dialled_in": N_("No one has dialled in yet"),
    "one_on_phone": N_("1 person on the phone"),
    "many_on_phone": N_("{count} people on the phone"),
    "waiting_for_callers": N_("Waiting for callers"),
    "one_caller": N_("1 caller"),
    "many_callers": N_("{count} callers"),
    # ending (host)
    "end_confirm": N_("End this meeting for everyone? Phone callers are disconnected too."),
    "ending": N_("Ending the meeting…"),
    "end_failed": N_("Couldn't end the meeting (error {status})."),
    # names and video problems (words.js)
    "name_missing": N_("Enter your name so others know who joined."),
    "name_too_long": N_("Keep your name to {max} characters or fewer."),
    "OT_AUTHENTICATION_ERROR": N_("The video service did not accept this meeting's access token. Reload the "
                                  "page and try again."),
    "OT_INVALID_SESSION_ID": N_("The video service does not recognise this meeting."),
    "OT_CONNECT_FAILED": N_("Couldn't reach the video service. Check your internet connection and try again."),
    "OT_SOCKET_CLOSE_TIMEOUT": N_("Couldn't reach the video service. Check your internet connection and try "
                                  "again."),
    "OT_TIMEOUT": N_("The video service took too long to answer. Try again."),
    "OT_USER_MEDIA_ACCESS_DENIED": N_("Your browser blocked the camera and microphone. Allow them for this site, "
                                      "then rejoin. You can still see and hear the others."),
    "OT_HARDWARE_UNAVAILABLE": N_("Your camera or microphone is in use by another app. Close it and rejoin."),
    "OT_NO_DEVICES_FOUND": N_("No camera or microphone was found. You can still see and hear the others."),
    "OT_NO_VALID_CONSTRAINTS": N_("Neither camera nor microphone is turned on."),
    "OT_UNSUPPORTED_BROWSER": N_("This browser can't run video calls. Try a recent Chrome, Edge, Firefox or "
                                 "Safari."),
    "OT_TOO_MANY_REQUESTS": N_("The video service is busy. Wait a moment, then try again."),
    "OT_STREAM_LIMIT_EXCEEDED": N_("This meeting is full."),
    "OT_PERMISSION_DENIED": N_("You aren't allowed to publish in this meeting."),
    "video_problem": N_("Video problem: {detail}"),
    "unknown_error": N_("unknown error"),
    # "Call my phone instead" (call_me_words.js)
    "call_ringing": N_("Ringing your phone ({number})… Answer it and press 1 to join."),
    "call_joined": N_("You joined the meeting by phone ({number})."),
    "call_no_answer": N_("No answer at {number}: nobody picked up before it stopped ringing."),
    "call_busy": N_("{number} was busy, so the call didn't go through."),
    "call_declined": N_("The call to {number} was declined."),
    "call_voicemail": N_("Voicemail answered at {number}, so we hung up. Try again when you can answer."),
    "call_failed": N_("The call to {number} failed: the phone network didn't connect it."),
    "call_ended": N_("The call to {number} was cancelled because the meeting ended."),
    "call_left": N_("You left the phone call ({number})."),
    "call_in_progress": N_("The call to {number} is in progress."),
    "your_phone": N_("your phone"),
    "call_placing": N_("Asking the meeting to call your phone…"),
    "call_no_number": N_("Type your phone number, with its country code if it is abroad."),
    "call_request_failed": N_("Couldn't place the call (error {status})."),
    # the "On the phone" panel (phone_roster.js)
    "roster_joined": N_("{name} joined by phone"),
    "roster_many_joined": N_("{count} people joined by phone"),
    "roster_left": N_("{name} left"),
    "roster_many_left": N_("{count} people left the phone"),
    "hand_raised": N_("✋ Hand raised"),
    "muted": N_("Muted"),
    "remove": N_("Remove"),
    "action_failed": N_("That didn't work (error {status})."),
}
