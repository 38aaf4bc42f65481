"""Public workshop sessions of a course: dates, capacity, bookings and the waiting list, calendar invitations,
reminders, the sign-in sheet, and what an attendee does next."""
