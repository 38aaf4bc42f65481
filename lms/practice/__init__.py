"""Practice: discovers exercises, runs checkers on workspace snapshots, submissions and coach reviews."""
