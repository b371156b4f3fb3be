"""USB packages for the hamlets: transcode cache, writing, verifying."""
