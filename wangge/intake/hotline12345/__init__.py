"""12345 工单导入 — the city hotline's hand-over of work orders (Excel / CSV) into cases.

The clerk maps the hotline's columns once per source (``ImportSource``), uploads a file, reads the
preview and the row-by-row validation report, then files all rows or only the valid ones. Each
order is filed through ``wangge.cases.actions.create_case`` with the order number as its external
id, so a file imported twice (or two overlapping files) files every order once.
"""
