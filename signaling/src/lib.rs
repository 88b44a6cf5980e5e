//! Signaling state machines (see the video issue).
