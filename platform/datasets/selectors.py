"""Dataset reads, and who may see and publish which data set."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courseware.models import Enrollment

from .models import Dataset, ImportJob


def dataset_visible_to(user) -> QuerySet[Dataset]:
    """Bundled sets: everyone signed in. Personal sets: their owner. Course sets: the course's
    members (enrolled learners and instructors) and the owner. Admins see everything."""
    if not getattr(user, "is_authenticated", False):
        return Dataset.objects.none()
    if user.is_platform_admin:
        return Dataset.objects.all()
    member_of = Enrollment.objects.filter(user=user).values("course_id")
    return Dataset.objects.filter(
        Q(kind=Dataset.Kind.BUNDLED) | Q(owner=user) | Q(kind=Dataset.Kind.COURSE, course_id__in=member_of)
    )


def dataset_get_visible(user, slug: str) -> Dataset | None:
    return dataset_visible_to(user).select_related("course").filter(slug=slug).first()


def _own_sets_for_lab(lab, user) -> QuerySet[Dataset]:
    """Besides the lab's bundled sets, a learner may train on their own imported sets and those
    published to the lab's course, when their format suits the lab's program."""
    from training.programs import program_info

    formats = program_info(lab.program).formats
    return dataset_visible_to(user).filter(format__in=formats).filter(
        Q(kind=Dataset.Kind.PERSONAL, owner=user) | Q(kind=Dataset.Kind.COURSE, course_id=lab.course_id)
    )


def dataset_list_for_lab(lab, user) -> list[Dataset]:
    by_slug = {d.slug: d for d in dataset_visible_to(user).filter(slug__in=lab.dataset_slugs)}
    listed = [by_slug[s] for s in lab.dataset_slugs if s in by_slug]
    return listed + [d for d in _own_sets_for_lab(lab, user).order_by("kind", "slug") if d.slug not in by_slug]


def dataset_get_for_lab(lab, user, slug: str) -> Dataset | None:
    if slug in lab.dataset_slugs:
        return dataset_visible_to(user).filter(slug=slug).first()
    return _own_sets_for_lab(lab, user).filter(slug=slug).first()


def _is_instructor(user, course) -> bool:
    return Enrollment.objects.filter(course=course, user=user, role=Enrollment.Role.INSTRUCTOR).exists()


def dataset_get_for_publishing(user, slug: str, course) -> Dataset | None:
    """The data set as the user sees it when publishing to ``course``: the ones visible to them,
    plus, for an instructor of the course, the personal sets of that course's learners (an
    instructor publishes a learner's upload for the whole class)."""
    dataset = dataset_get_visible(user, slug)
    if dataset is None and course is not None and getattr(user, "is_authenticated", False) and _is_instructor(user, course):
        learners = Enrollment.objects.filter(course=course, role=Enrollment.Role.LEARNER).values("user_id")
        dataset = Dataset.objects.filter(slug=slug, kind=Dataset.Kind.PERSONAL, owner_id__in=learners).first()
    return dataset


def dataset_can_publish(user, dataset: Dataset, course) -> bool:
    """Admins may publish anything; an instructor of ``course`` their own sets and those of the
    course's learners. Learners never publish, not even their own sets."""
    if user.is_platform_admin:
        return True
    if not _is_instructor(user, course):
        return False
    if dataset.owner_id == user.pk:
        return True
    return Enrollment.objects.filter(course=course, user_id=dataset.owner_id, role=Enrollment.Role.LEARNER).exists()


def import_job_list_for_user(user) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(owner=user).select_related("dataset")


def import_job_get_for_user(user, job_id: int) -> ImportJob | None:
    """A job is its owner's alone (admins see all)."""
    jobs = ImportJob.objects.all() if user.is_platform_admin else ImportJob.objects.filter(owner=user)
    return jobs.select_related("dataset").filter(pk=job_id).first()
