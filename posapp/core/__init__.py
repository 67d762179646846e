"""Qt-free domain core: codes, money, API client, ledger, policy, sync."""
