-- Some entries of one part of the identity state: (key, JSON value) for the keys given.
SELECT key, value FROM identity_state WHERE part = ? AND key IN (SELECT unnest(?))
