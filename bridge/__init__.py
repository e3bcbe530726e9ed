"""The broker bridge in the box: follows the service's signal stream over HTTP, places each
waiting signal with a broker (paper by default, Interactive Brokers to come), and reports order
ids, fills, positions and account snapshots back. No Django import: it runs wherever the
broker's gateway runs."""
