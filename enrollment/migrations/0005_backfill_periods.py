from django.db import migrations


def forwards(apps, schema_editor):
    """'completed' became 'graduated'; every existing student gets the period they are in."""
    Student = apps.get_model("enrollment", "Student")
    EnrollmentPeriod = apps.get_model("enrollment", "EnrollmentPeriod")
    Student.objects.filter(stage="completed").update(stage="graduated")
    for student in Student.objects.select_related("cohort"):
        started = max(student.cohort.starts_on, student.enrolled_at.date())
        ended = None
        if student.stage in ("graduated", "withdrawn"):
            ended = max(started, student.cohort.ends_on)
        EnrollmentPeriod.objects.create(
            student=student,
            cohort=student.cohort,
            started_on=started,
            ended_on=ended,
            end_reason=student.stage if ended else "",
        )


def backwards(apps, schema_editor):
    apps.get_model("enrollment", "Student").objects.filter(stage="graduated").update(
        stage="completed"
    )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0004_student_periods_leave_history")]

    operations = [migrations.RunPython(forwards, backwards)]
