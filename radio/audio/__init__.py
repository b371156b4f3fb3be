"""What comes out of the sound card: outputs behind one small interface, and the player
that feeds them sample-exactly from streaming decoders."""
