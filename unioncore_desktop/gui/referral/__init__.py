"""The Morning referral area: the walk of each request, dispatch follow-up and offer history."""
