"""Every rule and every mutation, independent of the transport that asked."""
