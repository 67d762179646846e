"""Qt-free scanning pipeline: frame sources, QR decoders, strategy, confirmation."""
