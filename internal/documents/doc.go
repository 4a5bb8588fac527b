// Package documents renders Discern's PDF documents from plain Go input:
//
//   - WriteReferralPacket: the packet that goes with a referral, holding only
//     the data classes the person's consent releases (every other class is
//     printed as "withheld: no consent", never its content), the consent it
//     rests on and the rules for contacting the person safely (never the
//     code word itself);
//   - WriteScreeningSummary: a screening's result in plain language, per
//     jurisdiction, with elements, citations, pathways, alerts and the
//     questions that would settle what is unknown;
//   - WriteNonPunishmentLetter: a summary for defence counsel or a
//     prosecutor of the elements met, with their citations, and the
//     non-punishment provisions that may apply.
//
// The package does no I/O beyond writing the PDF and reads no clock: it
// touches no database, policy or HTTP. Callers check consent and access
// first and pass the data classes they may release; the renderers print
// nothing of any other class. For screenings this is the rule package
// casework applies when a screening is read: answers to questions of a
// withheld class are left out with the indicators shown only by them, and
// notes need the narrative class; the result itself is case-class.
//
// Output is deterministic: the same input gives the same bytes (the PDF's
// creation date is the input's Date; resources are written in sorted
// order; no random ids).
//
// Text is drawn with the Go fonts (golang.org/x/image/font/gofont),
// embedded as UTF-8 TrueType subsets; they cover Latin, Greek and Cyrillic.
// Labels are in locales/<lang>.yaml (English and Spanish), falling back to
// English per key; law, pathway and question texts come from the content
// bundle in the same language. For a language whose script the fonts lack
// (Arabic, Hebrew, Chinese, Devanagari, …) the document is in English and
// says so at the top, and any character the fonts cannot show is printed
// as "[?]" with a note, never as an empty box. Right-to-left shaping is not
// supported.
package documents
