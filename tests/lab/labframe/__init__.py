"""The lab frame: what every lab service shares (state directory, TLS, processes, inventory)."""
