SELECT reason, count(*) FROM rejected_document GROUP BY reason ORDER BY reason
