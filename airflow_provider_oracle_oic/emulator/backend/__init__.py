"""The emulator's rules: what each OIC operation does to the state, and when it refuses."""
