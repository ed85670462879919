"""Labeling reads, and who may see, label and manage which project.

- See and label: the owner; for a project shared to a course, every member of that course
  (learners and instructors); admins.
- Manage (classes, settings, deleting images, sharing, deleting the project): the owner, the
  instructors of the course it is shared to, admins.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from courseware.models import Enrollment

from .models import LabelBox, LabelClass, LabelImage, LabelProject, ProjectJob


def project_visible_to(user) -> QuerySet[LabelProject]:
    if not getattr(user, "is_authenticated", False):
        return LabelProject.objects.none()
    if user.is_platform_admin:
        return LabelProject.objects.all()
    member_of = Enrollment.objects.filter(user=user).values("course_id")
    return LabelProject.objects.filter(Q(owner=user) | Q(course_id__in=member_of))


def project_get_visible(user, project_id: int) -> LabelProject | None:
    return project_visible_to(user).select_related("owner", "course").filter(pk=project_id).first()


def project_can_manage(user, project: LabelProject) -> bool:
    if user.is_platform_admin or project.owner_id == user.pk:
        return True
    return project.course_id is not None and Enrollment.objects.filter(
        course_id=project.course_id, user=user, role=Enrollment.Role.INSTRUCTOR).exists()


def project_list_for_user(user) -> QuerySet[LabelProject]:
    return project_visible_to(user).select_related("owner", "course").annotate(
        image_count=Count("images", distinct=True))


def image_get_visible(user, image_id: int) -> LabelImage | None:
    return LabelImage.objects.select_related("project", "project__owner").filter(
        pk=image_id, project__in=project_visible_to(user)).first()


def image_list(project: LabelProject, *, label: str = "", split: str = "", verified: str = "") -> QuerySet[LabelImage]:
    """Images in upload order, filtered: ``label`` is a class id, "none" (unlabeled: no class for
    a classification project, no box for a detection project) or empty for all."""
    images = LabelImage.objects.filter(project=project).annotate(box_count=Count("boxes"))
    if label == "none":
        images = images.filter(box_count=0) if project.kind == LabelProject.Kind.DETECTION else images.filter(label__isnull=True)
    elif label:
        if project.kind == LabelProject.Kind.DETECTION:
            # A subquery, not a join on boxes: a join would multiply the box count above.
            images = images.filter(Exists(LabelBox.objects.filter(image=OuterRef("pk"), label_id=int(label))))
        else:
            images = images.filter(label_id=int(label))
    if split in ("train", "val"):
        images = images.filter(split=split)
    elif split == "none":
        images = images.filter(split="")
    if verified in ("yes", "no"):
        images = images.filter(verified=verified == "yes")
    return images.order_by("id")


def image_boxes(image: LabelImage) -> list[LabelBox]:
    return list(image.boxes.order_by("id"))


def class_list(project: LabelProject) -> list[LabelClass]:
    return list(project.classes.order_by("position", "id"))


def project_review(project: LabelProject) -> dict:
    """The numbers a labeler checks before training: per class, unlabeled, per split."""
    images = LabelImage.objects.filter(project=project)
    total = images.count()
    per_class_images = dict(images.exclude(label=None).values_list("label_id").annotate(n=Count("id")).values_list("label_id", "n"))
    per_class_boxes = dict(LabelBox.objects.filter(image__project=project).values_list("label_id").annotate(n=Count("id")).values_list("label_id", "n"))
    with_boxes = images.filter(boxes__isnull=False).distinct().count()
    splits = Counter(dict(images.values_list("split").annotate(n=Count("id")).values_list("split", "n")))
    split_by_class: dict[int, Counter] = {}
    if project.kind == LabelProject.Kind.DETECTION:
        # An image counts once per class it has a box of.
        pairs = LabelBox.objects.filter(image__project=project).order_by().values_list("label_id", "image__split", "image_id").distinct()
        for label_id, split, _image in pairs:
            split_by_class.setdefault(label_id, Counter())[split] += 1
    else:
        for label_id, split, n in images.exclude(label=None).values_list("label_id", "split").annotate(n=Count("id")).values_list("label_id", "split", "n"):
            split_by_class.setdefault(label_id, Counter())[split] += n
    classes = [{
        "id": c.pk, "name": c.name, "colour": c.colour, "hotkey": c.hotkey,
        "images": per_class_images.get(c.pk, 0), "boxes": per_class_boxes.get(c.pk, 0),
        "train": split_by_class.get(c.pk, Counter())["train"], "val": split_by_class.get(c.pk, Counter())["val"],
    } for c in class_list(project)]
    labeled = with_boxes if project.kind == LabelProject.Kind.DETECTION else sum(per_class_images.values())
    return {
        "images": total,
        "labeled": labeled,
        "unlabeled": total - labeled,
        "verified": images.filter(verified=True).count(),
        "boxes": sum(per_class_boxes.values()),
        "classes": classes,
        "splits": {"train": splits["train"], "val": splits["val"], "none": splits[""]},
        "split_seed": project.split_seed,
        "validation_fraction": project.validation_fraction,
        "size_bytes": images.aggregate(n=Sum("size_bytes"))["n"] or 0,
    }


def storage_used(user) -> int:
    """Bytes a user's labeling counts against their storage: images they uploaded (wherever the
    project lives) and the export archives they asked for that are still kept."""
    images = LabelImage.objects.filter(uploaded_by=user).aggregate(n=Sum("size_bytes"))["n"] or 0
    exports = ProjectJob.objects.filter(owner=user, direction=ProjectJob.Direction.EXPORT).exclude(
        file_relative_path="").aggregate(n=Sum("file_bytes"))["n"] or 0
    return int(images) + int(exports)


def storage_limit() -> int:
    return int(settings.LABELING["STORAGE_BYTES"])


def job_get_for_user(user, job_id: int) -> ProjectJob | None:
    """A job is the person's who started it (admins see all), as long as they still see the project."""
    jobs = ProjectJob.objects.select_related("project")
    if not user.is_platform_admin:
        jobs = jobs.filter(owner=user, project__in=project_visible_to(user))
    return jobs.filter(pk=job_id).first()


def job_list(project: LabelProject, user) -> QuerySet[ProjectJob]:
    return ProjectJob.objects.filter(project=project, owner=user)
