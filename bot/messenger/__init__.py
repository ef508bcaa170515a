"""Everything Meta defines: policy (windows, limits, payloads), events, the webhook, the Graph client, message bodies, the sender, the Messenger profile."""
