"""What the shopkeeper reads: every refusal, rejection and status in plain Italian and English.

Qt-free so the core, the CLI and the tests share one catalog; the Qt layer shows these strings and
never an HTTP status or exception text. Keys are `<group>.<machine code>`, so a reason code from the
parser or the API maps to words with no table in between. Money and times arrive already formatted
(see `money.format_cents`) as `{placeholder}` parameters.
"""

from __future__ import annotations

from string import Formatter

LANGUAGES = ("it", "en")
DEFAULT_LANG = "it"
GENERIC_KEY = "error.generic"
MISSING_PARAM = "…"

CATALOG: dict[str, dict[str, str]] = {
    GENERIC_KEY: {
        "it": "Qualcosa non ha funzionato: riprova",
        "en": "Something went wrong: please try again",
    },
    # the code parser (codes.RejectReason)
    "reject.empty": {"it": "Nessun codice letto", "en": "No code was read"},
    "reject.too_long": {
        "it": "Codice troppo lungo: non è un buono",
        "en": "Code too long: this is not a voucher",
    },
    "reject.control_characters": {
        "it": "Codice illeggibile: contiene caratteri non validi",
        "en": "Unreadable code: it contains invalid characters",
    },
    "reject.unknown_format": {
        "it": "Questo codice non è un buono",
        "en": "This code is not a voucher",
    },
    "reject.bad_check": {
        "it": "Codice sbagliato: controlla di averlo scritto bene",
        "en": "Wrong code: check that it was typed correctly",
    },
    "reject.bad_encoding": {
        "it": "Codice illeggibile: riprova la scansione",
        "en": "Unreadable code: please scan it again",
    },
    "reject.bad_length": {
        "it": "Codice incompleto o rovinato: riprova la scansione",
        "en": "Incomplete or damaged code: please scan it again",
    },
    "reject.unsupported_version": {
        "it": "Tipo di buono non ancora supportato: aggiorna l'app",
        "en": "Voucher type not supported yet: please update the app",
    },
    "reject.unknown_key": {
        "it": "Impossibile verificare il buono: firma sconosciuta",
        "en": "The voucher cannot be checked: unknown signature",
    },
    "reject.key_not_valid": {
        "it": "La firma del buono è scaduta o non ancora valida",
        "en": "The voucher's signature has expired or is not valid yet",
    },
    "reject.bad_signature": {
        "it": "Buono non autentico: la firma non corrisponde",
        "en": "Voucher not genuine: the signature does not match",
    },
    "reject.expired": {"it": "Buono scaduto", "en": "Voucher expired"},
    # the platform's business refusals (API error codes)
    "refused.unknown_voucher": {"it": "Buono sconosciuto", "en": "Unknown voucher"},
    "refused.voucher_used": {"it": "Buono già utilizzato", "en": "Voucher already used"},
    "refused.insufficient_balance": {
        "it": "Credito insufficiente: restano {balance}",
        "en": "Not enough credit: {balance} left",
    },
    "refused.partial_not_allowed": {
        "it": "Questo buono va usato tutto in una volta",
        "en": "This voucher must be used in full at once",
    },
    "refused.voucher_expired": {"it": "Buono scaduto", "en": "Voucher expired"},
    "refused.voucher_cancelled": {"it": "Buono annullato", "en": "Voucher cancelled"},
    "refused.other_shop": {
        "it": "Buono di un altro negozio",
        "en": "This voucher belongs to another shop",
    },
    "refused.currency_mismatch": {
        "it": "La valuta non è quella del buono",
        "en": "The currency does not match the voucher",
    },
    "refused.invalid_amount": {"it": "Importo non valido", "en": "Invalid amount"},
    "refused.void_window_expired": {
        "it": "Troppo tardi per annullare questa operazione",
        "en": "Too late to cancel this redemption",
    },
    "refused.idempotency_key_reused": {
        "it": "Operazione già registrata con dati diversi: scansiona di nuovo",
        "en": "Already recorded with different details: please scan again",
    },
    "refused.request_in_flight": {
        "it": "Operazione ancora in corso: attendi qualche secondo",
        "en": "Still being processed: wait a few seconds",
    },
    "refused.not_voidable": {
        "it": "Questa operazione non si può annullare",
        "en": "This redemption cannot be cancelled",
    },
    "refused.unknown_redemption": {
        "it": "Operazione non trovata sulla piattaforma",
        "en": "Redemption not found on the platform",
    },
    "refused.pairing_needed": {
        "it": "Cassa non più collegata: ripeti l'abbinamento con la piattaforma",
        "en": "This till is no longer connected: pair it with the platform again",
    },
    "repair.pairing_code_invalid": {
        "it": "Codice di abbinamento sbagliato: controllalo e riprova",
        "en": "Wrong pairing code: check it and try again",
    },
    "repair.pairing_code_used": {
        "it": "Questo codice di abbinamento è già stato usato: chiedine uno nuovo",
        "en": "This pairing code was already used: ask for a new one",
    },
    "repair.pairing_code_expired": {
        "it": "Il codice di abbinamento è scaduto: chiedine uno nuovo",
        "en": "The pairing code has expired: ask for a new one",
    },
    "repair.refused": {
        "it": "La piattaforma ha rifiutato l'abbinamento: chiedi un nuovo codice",
        "en": "The platform refused the pairing: ask for a new code",
    },
    "repair.no_answer": {
        "it": "Nessuna risposta: riprova con un nuovo codice (le operazioni in attesa restano)",
        "en": "No answer: try again with a new code (the waiting redemptions are kept)",
    },
    "repair.other_platform": {
        "it": "Questo indirizzo è di un'altra piattaforma",
        "en": "This address belongs to another platform",
    },
    "repair.other_shop": {
        "it": "Il codice è di un altro negozio: chiedi un codice per questo negozio",
        "en": "The code is for another shop: ask for a code for this shop",
    },
    "repair.unknown_account": {
        "it": "Questa piattaforma non è configurata su questa cassa",
        "en": "This platform is not set up on this till",
    },
    "ledger.db_missing": {
        "it": "Archivio delle vendite mancante: ripristina un backup con «posapp restore»",
        "en": "The sales database is missing: restore a backup with 'posapp restore'",
    },
    "ledger.db_empty": {
        "it": "Archivio delle vendite vuoto: ripristina un backup con «posapp restore»",
        "en": "The sales database is empty: restore a backup with 'posapp restore'",
    },
    "ledger.db_damaged": {
        "it": "Archivio delle vendite danneggiato: ripristina un backup con «posapp restore»",
        "en": "The sales database is damaged: restore a backup with 'posapp restore'",
    },
    "ledger.db_foreign": {
        "it": "Archivio delle vendite di un'altra cassa: ripristina il suo con «posapp restore»",
        "en": "Another till's sales database: restore this one's with 'posapp restore'",
    },
    "ledger.db_read_only": {
        "it": "L'archivio delle vendite non si può scrivere: controlla i permessi del file",
        "en": "The sales database cannot be written: check the file's permissions",
    },
    "ledger.rebuild_gap": {
        "it": "Vendite senza connessione dopo il {when} mai inviate: non recuperabili",
        "en": "Offline sales after {when} that were never sent cannot be recovered",
    },
    "choice.which_platform": {
        "it": "Questo codice esiste su più piattaforme: scegli quella del buono",
        "en": "This code exists on more than one platform: choose the voucher's one",
    },
    "needs_pairing": {
        "it": "Cassa non riconosciuta: ripeti l'abbinamento (le operazioni in attesa restano)",
        "en": "Till not recognised: pair it again (the waiting redemptions are kept)",
    },
    "clock.pc_clock_ahead": {
        "it": "L'orologio del PC è avanti di {minutes} min: correggi data e ora",
        "en": "The PC's clock is {minutes} min ahead: correct the date and time",
    },
    "clock.pc_clock_behind": {
        "it": "L'orologio del PC è indietro di {minutes} min: correggi data e ora",
        "en": "The PC's clock is {minutes} min behind: correct the date and time",
    },
    "refused.idempotency_key_missing": {
        "it": "Richiesta incompleta: riprova, se si ripete contatta l'assistenza",
        "en": "Incomplete request: try again, and call support if it happens again",
    },
    "refused.idempotency_key_mismatch": {
        "it": "Richiesta incoerente: riprova, se si ripete contatta l'assistenza",
        "en": "Inconsistent request: try again, and call support if it happens again",
    },
    "refused.pairing_code_invalid": {
        "it": "Codice di abbinamento non valido: controllalo",
        "en": "Pairing code not valid: check it",
    },
    "refused.pairing_code_used": {
        "it": "Codice di abbinamento già usato: chiedine uno nuovo",
        "en": "Pairing code already used: ask for a new one",
    },
    "refused.pairing_code_expired": {
        "it": "Codice di abbinamento scaduto: chiedine uno nuovo",
        "en": "Pairing code expired: ask for a new one",
    },
    "refused.invalid_cursor": {
        "it": "Aggiornamento dei buoni da ripetere da capo",
        "en": "The voucher update has to start again",
    },
    "refused.unauthorized": {
        "it": "Cassa non più autorizzata: ripeti l'abbinamento",
        "en": "This till is no longer authorised: pair it again",
    },
    "refused.invalid_request": {
        "it": "Dati non validi per la piattaforma: controlla l'importo e riprova",
        "en": "The platform refused the data: check the amount and try again",
    },
    "refused.service_unavailable": {
        "it": "Piattaforma momentaneamente non disponibile: riprova tra poco",
        "en": "The platform is briefly unavailable: try again shortly",
    },
    # the API client's own codes (posapp.core.api.errors), when no server reason applies
    "api.not_paired": {
        "it": "Cassa non abbinata: abbinala alla piattaforma",
        "en": "This till is not paired: pair it with the platform",
    },
    "api.timeout": {
        "it": "La piattaforma non ha risposto in tempo",
        "en": "The platform did not answer in time",
    },
    "api.unreachable": {
        "it": "Piattaforma non raggiungibile: controlla la connessione",
        "en": "The platform cannot be reached: check the connection",
    },
    "api.tls_error": {
        "it": "Connessione sicura non riuscita: la rete potrebbe chiedere un accesso",
        "en": "The secure connection failed: the network may require a sign-in",
    },
    "api.invalid_url": {
        "it": "Indirizzo della piattaforma non valido o non sicuro (serve https)",
        "en": "The platform address is not valid or not secure (https is needed)",
    },
    "api.bad_response": {
        "it": "Risposta incomprensibile dalla piattaforma: riprova più tardi",
        "en": "The platform gave an answer that makes no sense: try again later",
    },
    "api.server_error": {
        "it": "La piattaforma ha un problema: riprova più tardi",
        "en": "The platform has a problem: try again later",
    },
    "accounts.platform_conflict": {
        "it": "Questa cassa è già abbinata a una piattaforma con lo stesso nome: rimuovila prima",
        "en": "This till is already paired with a platform of the same name: remove it first",
    },
    "credentials.unavailable": {
        "it": "Manca il portachiavi di sistema: impossibile salvare l'accesso della cassa",
        "en": "No system keyring: the till's access cannot be stored safely",
    },
    # the local database (posapp.core.store StoreError codes)
    "store.disk_full": {
        "it": "Disco pieno: niente è stato salvato, libera spazio",
        "en": "The disk is full: nothing was saved, free some space",
    },
    "store.db_busy": {
        "it": "Archivio occupato da un altro programma: riprova",
        "en": "The records are in use by another program: try again",
    },
    "store.db_corrupt": {
        "it": "Archivio danneggiato: contatta l'assistenza",
        "en": "The records are damaged: call support",
    },
    "store.db_unwritable": {
        "it": "Impossibile scrivere l'archivio: controlla i permessi",
        "en": "The records cannot be written: check the permissions",
    },
    "store.db_unsafe": {
        "it": "Archivio non sicuro su questo disco: contatta l'assistenza",
        "en": "The records cannot be kept safely on this disk: call support",
    },
    "store.db_too_new": {
        "it": "Archivio di una versione più recente: aggiorna l'app",
        "en": "The records come from a newer version: update the app",
    },
    "store.db_closed": {
        "it": "Archivio chiuso: riavvia l'app",
        "en": "The records are closed: restart the app",
    },
    "store.db_error": {
        "it": "Errore dell'archivio: niente è stato salvato, riprova",
        "en": "Problem with the records: nothing was saved, try again",
    },
    # the offline policy
    "offline.not_proven": {
        "it": "Senza connessione non si può verificare questo buono",
        "en": "This voucher cannot be checked without a connection",
    },
    "offline.clock_went_back": {
        "it": "L'orologio del computer è indietro: controlla data e ora, serve la connessione",
        "en": "The computer's clock went back: check date and time; a connection is needed",
    },
    "offline.stale_sync": {
        "it": "Nessun aggiornamento da oltre {hours} ore: serve la connessione",
        "en": "No update for more than {hours} hours: a connection is needed",
    },
    "offline.over_value_cap": {
        "it": "Senza connessione il massimo per buono è {cap}",
        "en": "Without a connection the limit per voucher is {cap}",
    },
    "offline.over_pending_count": {
        "it": "Troppe operazioni in attesa di invio (massimo {cap}): serve la connessione",
        "en": "Too many redemptions waiting to be sent (limit {cap}): a connection is needed",
    },
    "offline.over_pending_value": {
        "it": "Totale in attesa di invio oltre {cap}: serve la connessione",
        "en": "Total waiting to be sent is over {cap}: a connection is needed",
    },
    "offline.already_redeemed_here": {
        "it": "Buono già usato in questa cassa",
        "en": "Voucher already used at this till",
    },
    "offline.insufficient_cached_balance": {
        "it": "Credito insufficiente: restano {balance} (ultimo dato noto)",
        "en": "Not enough credit: {balance} left (last known)",
    },
    "offline.revoked": {
        "it": "Buono ritirato dalla piattaforma",
        "en": "Voucher withdrawn by the platform",
    },
    "offline.no_account": {
        "it": "Nessuna piattaforma configurata per questo buono",
        "en": "No platform is set up for this voucher",
    },
    # status bar and verdicts
    "status.online": {"it": "In linea", "en": "Online"},
    "status.offline": {"it": "Senza connessione", "en": "Offline"},
    "status.pending": {"it": "{count} in attesa di invio", "en": "{count} waiting to be sent"},
    "status.oldest": {"it": "la più vecchia da {age}", "en": "oldest waiting {age}"},
    "status.last_sync": {
        "it": "Ultimo aggiornamento: {when}",
        "en": "Last update: {when}",
    },
    "verdict.accepted": {"it": "Accettato", "en": "Accepted"},
    "verdict.accepted_offline": {
        "it": "Accettato senza connessione: verrà inviato appena possibile",
        "en": "Accepted offline: it will be sent as soon as possible",
    },
    "verdict.refused": {"it": "Rifiutato", "en": "Refused"},
    "verdict.confirm": {"it": "Premi Invio per confermare", "en": "Press Enter to confirm"},
}


class _Params(dict):
    """Format parameters where a forgotten one shows as an ellipsis instead of raising KeyError."""

    def __missing__(self, name: str) -> str:
        return MISSING_PARAM


def placeholders(template: str) -> set[str]:
    """The `{names}` a template uses."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def text(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The message for `key` in `lang` (Italian if unknown); an unknown key gives a generic one."""
    entry = CATALOG.get(key) or CATALOG[GENERIC_KEY]
    template = entry.get(lang) or entry[DEFAULT_LANG]
    return template.format_map(_Params(params))
