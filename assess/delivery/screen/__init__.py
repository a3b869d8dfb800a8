"""The test on a screen: the sitting, one question's page and the trainer's desk (on a live workspace)."""
