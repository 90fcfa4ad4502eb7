"""What each command does, from its inputs to the files or results it gives, with no
console: the CLI parses options, calls one job and hands what it returns to a renderer
or the file writer. A job tells its caller how it is going through a
:class:`~hmic_audit.jobs.feedback.Feedback` (the CLI's shows spinners and problems on
stderr; the default shows nothing)."""
