-- entity_resolution explains person mentions. A name the warehouse relabelled from PERSON to
-- a place or organisation had kept its resolution rows (queries/apply_redirects.sql now drops
-- them), so a warehouse built in several runs held rows one run over the same files does not.
DELETE FROM entity_resolution
WHERE entity_id IN (SELECT entity_id FROM entity WHERE label <> 'PERSON');
