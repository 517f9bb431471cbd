"""The counter's back-office ledgers left by issue 21: passports (旅券), house-number notices
(住居表示), forwarding to other offices (進達) and undelivered insurance cards (不着保険証)."""
