"""The force report: figures computed from the cases, woven into authored narrative.

``build_report`` computes a :class:`~hmic_audit.report.context.ReportContext` once (every
figure registered with its rule and the cases behind it); the renderers in
:mod:`hmic_audit.render` turn it into Markdown, HTML or Word.
"""
