"""Planning poker: sessions, participants, stories, votes, reveal and folders."""
