"""Candidate names as BLT can carry them: no double quote, no control character.

BLT has no escape syntax, so a name runs from one double quote to the next. Names are now
checked at nomination; existing ones get the same repair: a double quote becomes a single
quote, a control character or line break a space, spaces collapsed.
"""

import re

from django.db import migrations

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def repair(name):
    fixed = " ".join(CONTROL.sub(" ", name.replace('"', "'")).split())
    return fixed or "?"


def forwards(apps, schema_editor):
    Candidate = apps.get_model("elections", "Candidate")
    for candidate in Candidate.objects.only("pk", "name").iterator():
        if '"' in candidate.name or CONTROL.search(candidate.name):
            candidate.name = repair(candidate.name)
            candidate.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("elections", "0007_turnout_min_class_size")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
