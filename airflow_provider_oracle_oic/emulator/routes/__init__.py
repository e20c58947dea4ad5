"""HTTP routes of the emulator, one module per OIC resource family plus the control plane."""
