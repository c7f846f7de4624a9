"""The out-of-work books area: the live list per book, sign-on, re-sign, exemptions and the drop run."""
