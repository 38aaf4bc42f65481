"""Learning: enrolments, assignments and due dates, module progress, knowledge checks, completion."""
