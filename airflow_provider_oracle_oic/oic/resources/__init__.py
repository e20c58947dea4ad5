"""One module per OIC resource family."""
