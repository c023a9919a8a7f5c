// SPDX-License-Identifier: GPL-2.0
/* vCPU pause/resume for memory remaps (struct mem_pause_ops of memory/). */
#include <errno.h>
#include <linux/kvm.h>
#include <time.h>

#include "vmm/pause.h"
#include "vmm/vm.h"

static const struct mem_pause_ops vm_pause_ops = {
	.pause = vm_pause,
	.resume = vm_resume,
};

int vm_pause_init(struct vm *vm)
{
	struct vm_pause *p = &vm->pause;
	int r;

	r = pthread_mutex_init(&p->lock, NULL);
	if (r)
		return -r;
	r = pthread_cond_init(&p->cond, NULL);
	if (r) {
		pthread_mutex_destroy(&p->lock);
		return -r;
	}
	atomic_init(&p->want, false);
	p->ready = true;
	memory_set_pause_ops(&vm->mem, &vm_pause_ops, vm);
	return 0;
}

void vm_pause_exit(struct vm *vm)
{
	if (!vm->pause.ready)
		return;
	memory_set_pause_ops(&vm->mem, NULL, NULL);
	pthread_cond_destroy(&vm->pause.cond);
	pthread_mutex_destroy(&vm->pause.lock);
	vm->pause.ready = false;
}

static void kick_all(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vm_kick_vcpu(&vm->vcpus[i]);
}

int vm_pause(void *arg)
{
	struct vm *vm = arg;
	struct vm_pause *p = &vm->pause;
	struct timespec ts;

	pthread_mutex_lock(&p->lock);
	atomic_store(&p->want, true);
	while (p->parked < p->active) {
		kick_all(vm);
		/* Re-kick now and then: a kick may land just before KVM_RUN. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	/* The lock stays held: one pauser at a time, released by resume. */
	return 0;
}

void vm_resume(void *arg)
{
	struct vm *vm = arg;
	struct vm_pause *p = &vm->pause;

	atomic_store(&p->want, false);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void vcpu_pause_point(struct vcpu *vcpu)
{
	struct vm_pause *p = &vcpu->vm->pause;

	if (!atomic_load(&p->want))
		return;
	pthread_mutex_lock(&p->lock);
	while (atomic_load(&p->want) && !vm_stopping(vcpu->vm)) {
		p->parked++;
		pthread_cond_broadcast(&p->cond);
		pthread_cond_wait(&p->cond, &p->lock);
		p->parked--;
	}
	/* The kick set immediate_exit; a stop request keeps it set. */
	if (!vm_stopping(vcpu->vm))
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&p->lock);
}

void vcpu_pause_enter(struct vcpu *vcpu)
{
	struct vm_pause *p = &vcpu->vm->pause;

	pthread_mutex_lock(&p->lock);
	p->active++;
	pthread_mutex_unlock(&p->lock);
}

void vcpu_pause_leave(struct vcpu *vcpu)
{
	struct vm_pause *p = &vcpu->vm->pause;

	pthread_mutex_lock(&p->lock);
	p->active--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
