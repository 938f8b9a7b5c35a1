"""The organisers' side: sign-in, event editor, questions, registrations, exports."""
