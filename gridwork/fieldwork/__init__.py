"""Field work: patrols, visits and today's plan, the Grid People's Memo, work logs, weekly reports
and meetings (DESIGN.md section 5). Sits above cases, notify and transfer; below api and web."""
