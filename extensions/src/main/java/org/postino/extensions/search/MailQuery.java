package org.postino.extensions.search;

import java.util.ArrayList;
import java.util.Calendar;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import javax.mail.Flags;

import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.Operator;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch._types.query_dsl.TextQueryType;

/**
 * Translates James's {@link SearchQuery} into an OpenSearch query over the mail index.
 *
 * <p>Semantics, per criterion:
 * <ul>
 *   <li>text (IMAP TEXT and BODY, JMAP text): a message matches when it has any word of the query
 *   as written (case and accents folded) in its body or attachments, as James's search contract
 *   asks, or every word of the query in any English or Italian inflection anywhere in it (subject,
 *   names, bodies, attachments). An e-mail address in the query is one token: it finds that
 *   address, not its domain's other addresses.</li>
 *   <li>header contains, address (FROM, TO, CC, BCC): case-insensitive substring of the decoded
 *   header, as IMAP asks.</li>
 *   <li>dates by resolution in the server's time zone; flags, sizes, modseq, uids exact.</li>
 * </ul>
 */
final class MailQuery {
    private static final String[] BODY_FIELDS = {"textBody", "htmlBody"};
    private static final String[] ATTACHMENT_FIELDS = {"attachments.text"};
    private static final String[] HEADER_TEXT_FIELDS = {"subject", "from.name", "to.name", "cc.name", "bcc.name",
        "from.address", "to.address", "cc.address", "bcc.address", "attachments.fileName"};
    private static final String[] STEMMED = {"en", "it"};

    private MailQuery() {
    }

    /** The criteria, all of them, over an index of the latest layout. */
    static Query of(List<Criterion> criteria) {
        return of(criteria, MailIndexClient.LAYOUT);
    }

    /** The criteria, all of them, over an index of this layout (see {@link MailIndexClient#layout()}). */
    static Query of(List<Criterion> criteria, int layout) {
        return of(criteria, layout, null);
    }

    /**
     * The criteria, all of them, over an index of this layout; {@code recent} is what matches the messages that are
     * \Recent now ({@link #recentUids}), or null to use the flag as indexed at delivery.
     *
     * <p>\Recent changes are not written to the index: the first SELECT after mass delivery clears it on every new
     * message, and re-indexing 100,000 documents for it kept OpenSearch busy for minutes, with every delivery to the
     * mailbox queued behind it. The store knows which messages are recent (an index on (mailbox, recent, uid)).
     */
    static Query of(List<Criterion> criteria, int layout, Query recent) {
        if (criteria.isEmpty()) {
            return Query.of(q -> q.matchAll(m -> m));
        }
        List<Query> queries = new ArrayList<>();
        for (Criterion criterion : criteria) {
            queries.add(criterion(criterion, layout, recent));
        }
        return and(queries);
    }

    /** Whether a criterion asks about \Recent, at any depth. */
    static boolean mentionsRecent(List<Criterion> criteria) {
        for (Criterion criterion : criteria) {
            if (criterion instanceof SearchQuery.FlagCriterion && ((SearchQuery.FlagCriterion) criterion).getFlag() == Flags.Flag.RECENT) {
                return true;
            }
            if (criterion instanceof SearchQuery.ConjunctionCriterion
                && mentionsRecent(((SearchQuery.ConjunctionCriterion) criterion).getCriteria())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Messages of one mailbox by uid: ranges of consecutive uids (recent messages usually are), or lists of uids
     * when they are scattered (each terms query within OpenSearch's 65,536 terms, clauses within its 1,024).
     */
    static Query recentUids(String mailboxId, List<Long> sortedUids) {
        if (sortedUids.isEmpty()) {
            return Query.of(q -> q.matchNone(m -> m));
        }
        List<long[]> ranges = new ArrayList<>();
        long low = sortedUids.get(0);
        long high = low;
        for (long uid : sortedUids.subList(1, sortedUids.size())) {
            if (uid == high + 1) {
                high = uid;
            } else {
                ranges.add(new long[] {low, high});
                low = uid;
                high = uid;
            }
        }
        ranges.add(new long[] {low, high});
        List<Query> should = new ArrayList<>();
        if (ranges.size() <= 500) {
            for (long[] range : ranges) {
                should.add(Query.of(q -> q.range(r -> r.field("uid").gte(JsonData.of(range[0])).lte(JsonData.of(range[1])))));
            }
        } else {
            for (int from = 0; from < sortedUids.size(); from += 50_000) {
                List<FieldValue> values = sortedUids.subList(from, Math.min(sortedUids.size(), from + 50_000)).stream()
                    .map(FieldValue::of).toList();
                should.add(Query.of(q -> q.terms(t -> t.field("uid").terms(v -> v.value(values)))));
            }
        }
        return inMailboxes(List.of(mailboxId), Query.of(q -> q.bool(b -> b.should(should).minimumShouldMatch("1"))));
    }

    static Query inMailboxes(List<String> mailboxIds, Query query) {
        List<FieldValue> values = mailboxIds.stream().map(FieldValue::of).toList();
        Query mailboxes = Query.of(q -> q.terms(t -> t.field("mailboxId").terms(v -> v.value(values))));
        return Query.of(q -> q.bool(b -> b.filter(mailboxes).filter(query)));
    }

    private static Query and(List<Query> queries) {
        if (queries.size() == 1) {
            return queries.get(0);
        }
        return Query.of(q -> q.bool(b -> b.filter(queries)));
    }

    static Query criterion(Criterion criterion, int layout, Query recent) {
        if (criterion instanceof SearchQuery.AllCriterion) {
            return Query.of(q -> q.matchAll(m -> m));
        }
        if (criterion instanceof SearchQuery.ConjunctionCriterion) {
            SearchQuery.ConjunctionCriterion conjunction = (SearchQuery.ConjunctionCriterion) criterion;
            List<Query> parts = conjunction.getCriteria().stream().map(part -> criterion(part, layout, recent)).toList();
            switch (conjunction.getType()) {
                case AND:
                    return parts.isEmpty() ? Query.of(q -> q.matchAll(m -> m)) : and(parts);
                case OR:
                    return Query.of(q -> q.bool(b -> b.should(parts).minimumShouldMatch("1")));
                case NOR:
                    return Query.of(q -> q.bool(b -> b.mustNot(parts)));
                default:
                    throw new IllegalArgumentException("unknown conjunction " + conjunction.getType());
            }
        }
        if (criterion instanceof SearchQuery.TextCriterion) {
            return text((SearchQuery.TextCriterion) criterion);
        }
        if (criterion instanceof SearchQuery.HeaderCriterion) {
            return header((SearchQuery.HeaderCriterion) criterion, layout);
        }
        if (criterion instanceof SearchQuery.SubjectCriterion) {
            return subject(((SearchQuery.SubjectCriterion) criterion).getSubject(), layout);
        }
        if (criterion instanceof SearchQuery.MimeMessageIDCriterion) {
            return term("mimeMessageId", ((SearchQuery.MimeMessageIDCriterion) criterion).getMessageID().trim());
        }
        if (criterion instanceof SearchQuery.MessageIdCriterion) {
            return term("messageId", ((SearchQuery.MessageIdCriterion) criterion).getMessageId().serialize());
        }
        if (criterion instanceof SearchQuery.ThreadIdCriterion) {
            return term("threadId", ((SearchQuery.ThreadIdCriterion) criterion).getThreadId().serialize());
        }
        if (criterion instanceof SearchQuery.InternalDateCriterion) {
            return date("internalDate", ((SearchQuery.InternalDateCriterion) criterion).getOperator());
        }
        if (criterion instanceof SearchQuery.SaveDateCriterion) {
            return date("saveDate", ((SearchQuery.SaveDateCriterion) criterion).getOperator());
        }
        if (criterion instanceof SearchQuery.ModSeqCriterion) {
            return numeric("modSeq", ((SearchQuery.ModSeqCriterion) criterion).getOperator());
        }
        if (criterion instanceof SearchQuery.SizeCriterion) {
            return numeric("size", ((SearchQuery.SizeCriterion) criterion).getOperator());
        }
        if (criterion instanceof SearchQuery.FlagCriterion) {
            SearchQuery.FlagCriterion flag = (SearchQuery.FlagCriterion) criterion;
            if (flag.getFlag() == Flags.Flag.RECENT && recent != null) {
                return flag.getOperator().isSet() ? recent : not(recent);
            }
            return Query.of(q -> q.term(t -> t.field(flagField(flag.getFlag())).value(FieldValue.of(flag.getOperator().isSet()))));
        }
        if (criterion instanceof SearchQuery.CustomFlagCriterion) {
            SearchQuery.CustomFlagCriterion flag = (SearchQuery.CustomFlagCriterion) criterion;
            Query has = term("userFlags", flag.getFlag());
            return flag.getOperator().isSet() ? has : not(has);
        }
        if (criterion instanceof SearchQuery.AttachmentCriterion) {
            boolean set = ((SearchQuery.AttachmentCriterion) criterion).getOperator().isSet();
            return Query.of(q -> q.term(t -> t.field("hasAttachment").value(FieldValue.of(set))));
        }
        if (criterion instanceof SearchQuery.UidCriterion) {
            return uids(((SearchQuery.UidCriterion) criterion).getOperator().getRange());
        }
        throw new IllegalArgumentException("search criterion not supported: " + criterion);
    }

    private static Query text(SearchQuery.TextCriterion criterion) {
        String value = criterion.getOperator().getValue();
        switch (criterion.getType()) {
            case BODY:
                return words(value, BODY_FIELDS, BODY_FIELDS);
            case ATTACHMENTS:
                return words(value, ATTACHMENT_FIELDS, ATTACHMENT_FIELDS);
            case ATTACHMENT_FILE_NAME:
                return Query.of(q -> q.bool(b -> b
                    .should(s -> s.term(t -> t.field("attachments.fileName.exact").value(FieldValue.of(value.toLowerCase(Locale.ROOT)))))
                    .should(s -> s.matchPhrase(m -> m.field("attachments.fileName").query(value)))
                    .minimumShouldMatch("1")));
            case FULL:
            default:
                return words(value, concat(BODY_FIELDS, ATTACHMENT_FIELDS), concat(BODY_FIELDS, ATTACHMENT_FIELDS, HEADER_TEXT_FIELDS));
        }
    }

    /**
     * Any word of the query as written (accents and case folded) in the {@code exact} fields, or
     * every word, in any inflection (English or Italian stemming), somewhere in the {@code all}
     * fields.
     */
    private static Query words(String value, String[] exact, String[] all) {
        List<String> stemmed = new ArrayList<>(List.of(all));
        for (String field : all) {
            if (!field.endsWith("address") && !field.endsWith("fileName")) {
                for (String language : STEMMED) {
                    stemmed.add(field + "." + language);
                }
            }
        }
        Query anyExact = Query.of(q -> q.multiMatch(m -> m.query(value).fields(List.of(exact))
            .type(TextQueryType.MostFields).operator(Operator.Or)));
        Query allInflected = Query.of(q -> q.multiMatch(m -> m.query(value).fields(stemmed)
            .type(TextQueryType.CrossFields).operator(Operator.And)));
        return Query.of(q -> q.bool(b -> b.should(anyExact).should(allInflected).minimumShouldMatch("1")));
    }

    private static String[] concat(String[]... arrays) {
        List<String> all = new ArrayList<>();
        for (String[] array : arrays) {
            all.addAll(List.of(array));
        }
        return all.toArray(String[]::new);
    }

    /**
     * Case-insensitive substring of a Subject line: in its own field when the index has it (layout 2),
     * else among all header lines, where every message has candidates to check.
     */
    private static Query subject(String value, int layout) {
        return layout >= 2 ? contains("subjectAll", "", value) : contains("headers", "subject:", value);
    }

    private static Query header(SearchQuery.HeaderCriterion criterion, int layout) {
        String name = criterion.getHeaderName().toLowerCase(Locale.ROOT);
        SearchQuery.HeaderOperator operator = criterion.getOperator();
        if (operator instanceof SearchQuery.ExistsOperator) {
            return Query.of(q -> q.wildcard(w -> w.field("headers").value(escape(name + ":") + "*")));
        }
        if (operator instanceof SearchQuery.AddressOperator) {
            String address = ((SearchQuery.AddressOperator) operator).getAddress();
            if (List.of("from", "to", "cc", "bcc").contains(name)) {
                return contains(name + "All", "", address);
            }
            return contains("headers", name + ":", address);
        }
        if (operator instanceof SearchQuery.DateOperator) {
            return date("sentDate", (SearchQuery.DateOperator) operator);
        }
        if (operator instanceof SearchQuery.ContainsOperator) {
            String value = ((SearchQuery.ContainsOperator) operator).getValue();
            return name.equals("subject") ? subject(value, layout) : contains("headers", name + ":", value);
        }
        throw new IllegalArgumentException("header operator not supported: " + operator);
    }

    /** Case-insensitive substring of a field whose values are stored lower-cased with a prefix. */
    private static Query contains(String field, String prefix, String value) {
        String needle = value.trim().toLowerCase(Locale.ROOT);
        String pattern = prefix.isEmpty()
            ? "*" + escape(needle) + "*"
            : escape(prefix) + "*" + escape(needle) + "*";
        return Query.of(q -> q.wildcard(w -> w.field(field).value(pattern)));
    }

    static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '*' || c == '?' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static Query term(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
    }

    private static Query not(Query query) {
        return Query.of(q -> q.bool(b -> b.mustNot(query)));
    }

    private static Query numeric(String field, SearchQuery.NumericOperator operator) {
        long value = operator.getValue();
        switch (operator.getType()) {
            case LESS_THAN:
                return Query.of(q -> q.range(r -> r.field(field).lt(JsonData.of(value))));
            case GREATER_THAN:
                return Query.of(q -> q.range(r -> r.field(field).gt(JsonData.of(value))));
            case EQUALS:
            default:
                return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
        }
    }

    private static Query date(String field, SearchQuery.DateOperator operator) {
        long lower = truncate(operator.getDate(), operator.getDateResultion(), 0);
        long upper = truncate(operator.getDate(), operator.getDateResultion(), 1);
        switch (operator.getType()) {
            case BEFORE:
                return Query.of(q -> q.range(r -> r.field(field).lt(JsonData.of(lower))));
            case AFTER:
                return Query.of(q -> q.range(r -> r.field(field).gte(JsonData.of(upper))));
            case ON:
            default:
                return Query.of(q -> q.range(r -> r.field(field).gte(JsonData.of(lower)).lt(JsonData.of(upper))));
        }
    }

    /** Start of the date's unit (Day, Hour...) in the server's time zone, plus {@code add} units. */
    static long truncate(Date date, SearchQuery.DateResolution resolution, int add) {
        Calendar calendar = Calendar.getInstance();
        calendar.setTime(date);
        // each case clears its own field and falls through to the finer ones
        switch (resolution) {
            case Year:
                calendar.set(Calendar.MONTH, Calendar.JANUARY);
            case Month:
                calendar.set(Calendar.DAY_OF_MONTH, 1);
            case Day:
                calendar.set(Calendar.HOUR_OF_DAY, 0);
            case Hour:
                calendar.set(Calendar.MINUTE, 0);
            case Minute:
                calendar.set(Calendar.SECOND, 0);
            default:
                break;
        }
        int unit = switch (resolution) {
            case Year -> Calendar.YEAR;
            case Month -> Calendar.MONTH;
            case Day -> Calendar.DAY_OF_MONTH;
            case Hour -> Calendar.HOUR_OF_DAY;
            case Minute -> Calendar.MINUTE;
            case Second -> Calendar.SECOND;
        };
        calendar.set(Calendar.MILLISECOND, 0);
        calendar.add(unit, add);
        return calendar.getTimeInMillis();
    }

    private static Query uids(SearchQuery.UidRange[] ranges) {
        List<Query> should = new ArrayList<>();
        for (SearchQuery.UidRange range : ranges) {
            long low = range.getLowValue().asLong();
            long high = range.getHighValue().asLong();
            should.add(Query.of(q -> q.range(r -> r.field("uid").gte(JsonData.of(low)).lte(JsonData.of(high)))));
        }
        return Query.of(q -> q.bool(b -> b.should(should).minimumShouldMatch("1")));
    }

    static String flagField(Flags.Flag flag) {
        if (flag == Flags.Flag.ANSWERED) {
            return "answered";
        } else if (flag == Flags.Flag.DELETED) {
            return "deleted";
        } else if (flag == Flags.Flag.DRAFT) {
            return "draft";
        } else if (flag == Flags.Flag.FLAGGED) {
            return "flagged";
        } else if (flag == Flags.Flag.RECENT) {
            return "recent";
        } else if (flag == Flags.Flag.SEEN) {
            return "seen";
        }
        throw new IllegalArgumentException("unknown flag " + flag);
    }

    static List<SortOptions> sorts(List<SearchQuery.Sort> sorts, boolean acrossMailboxes) {
        List<SortOptions> options = new ArrayList<>();
        boolean uidSorted = false;
        for (SearchQuery.Sort sort : sorts) {
            SortOrder order = sort.isReverse() ? SortOrder.Desc : SortOrder.Asc;
            String field = sortField(sort.getSortClause());
            uidSorted |= field.equals("uid");
            options.add(SortOptions.of(s -> s.field(f -> f.field(field).order(order).missing(FieldValue.of("_last")))));
            if (sort.getSortClause() == SearchQuery.Sort.SortClause.SentDate) {
                options.add(SortOptions.of(s -> s.field(f -> f.field("internalDate").order(order))));
            }
        }
        if (acrossMailboxes) {
            options.add(SortOptions.of(s -> s.field(f -> f.field("mailboxId").order(SortOrder.Asc))));
        }
        if (!uidSorted || acrossMailboxes) {
            options.add(SortOptions.of(s -> s.field(f -> f.field("uid").order(SortOrder.Asc))));
        }
        return options;
    }

    private static String sortField(SearchQuery.Sort.SortClause clause) {
        switch (clause) {
            case Arrival:
                return "internalDate";
            case MailboxCc:
                return "ccSort";
            case MailboxFrom:
                return "fromSort";
            case MailboxTo:
                return "toSort";
            case BaseSubject:
                return "subjectSort";
            case Size:
                return "size";
            case SentDate:
                return "sentDate";
            case Id:
                return "messageId";
            case Uid:
            default:
                return "uid";
        }
    }
}
