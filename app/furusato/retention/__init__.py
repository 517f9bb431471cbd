"""保存期間と廃棄 (004 §8; 特記事項 §12): retention periods per kind of record, the periodic sweep
that lists what passed them, and disposal applied for, approved by the city, carried out and
recorded."""
