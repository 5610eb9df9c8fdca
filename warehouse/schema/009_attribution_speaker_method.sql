-- How an attribution's speaker was found, as quote.attribution says it for quotes: the
-- subject of the cue (`cue_subject`), a pronoun's antecedent (`pronoun`), a title's holder
-- (`title`), a name in apposition (`appositive`), whom a spokesman, campaign or poll speaks
-- for (`spokesperson_for`, `speaks_for`), the organisation "the company" stands for
-- (`description`), a name the article gives elsewhere (`named_elsewhere`), or the quote the
-- content holds (`quote`); when there is no speaker, why (`not_an_entity`, `first_person`,
-- `unresolved_pronoun`, `unresolved_description`, ...). NULL without a
-- source in the text. Rows enriched before stay NULL until they are enriched again.
ALTER TABLE attribution ADD COLUMN IF NOT EXISTS speaker_method VARCHAR;
