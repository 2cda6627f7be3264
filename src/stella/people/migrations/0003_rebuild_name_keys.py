"""Rebuild every NameKey with the name knowledge of issue 6 (people/data/name_knowledge.toml).

Keys are a derived index: this migration recomputes them from the current names with the rules that
ship with this code (not a frozen copy), chunk by chunk of persons, and sets birth_year from the person.
Run it again (or `refresh_name_keys`) whenever the knowledge file changes.
"""

from django.db import migrations

CHUNK = 2000


def rebuild_name_keys(apps, schema_editor):
    from stella.people.names import KEY_LENGTH, name_keys

    Person = apps.get_model("people", "Person")
    PersonName = apps.get_model("people", "PersonName")
    NameKey = apps.get_model("people", "NameKey")
    last = 0
    while True:
        persons = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "birth_date")[:CHUNK])
        if not persons:
            break
        ids = [pk for pk, _ in persons]
        last = ids[-1]
        keys: dict[int, dict[str, None]] = {pk: {} for pk in ids}
        names = PersonName.objects.filter(person_id__in=ids, valid_until__isnull=True).order_by("pk")
        for person_id, given, family in names.values_list("person_id", "given_names", "family_name"):
            for key in name_keys(given, family):
                keys[person_id].setdefault(key[:KEY_LENGTH], None)
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(
            [NameKey(person_id=pk, key=key, birth_year=birth.year if birth else None)
             for pk, birth in persons for key in keys[pk]],
            batch_size=5000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_duplicates"),
    ]

    operations = [
        migrations.RunPython(rebuild_name_keys, migrations.RunPython.noop, elidable=True),
    ]
